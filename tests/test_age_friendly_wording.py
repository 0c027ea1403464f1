"""How the age-friendly mode (适老化) is described: since issue 12 it adds help (every explanation
shown as a help box, larger text, 56 px targets), so nothing may promise "simpler pages"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from gongzhi.accounts.forms import ProfileForm
from gongzhi.accounts.models import User

SOURCE = Path(__file__).resolve().parent.parent / "gongzhi"
LESS = re.compile(r"simpler (pages|layout)|fewer explanations|less help|更简洁|简化版", re.I)


def test_the_profile_and_the_admin_say_the_mode_shows_every_explanation():
    with translation.override("en"):
        label = str(ProfileForm().fields["age_friendly"].label)
        help_text = str(User._meta.get_field("age_friendly").help_text)
    for text in (label, help_text):
        assert "every explanation shown" in text, text
        assert not LESS.search(text), text


def test_no_description_of_the_mode_promises_less():
    found = [
        f"{path.relative_to(SOURCE)}: {match.group(0)}"
        for path in [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html")]
        if "migrations" not in path.parts
        for match in LESS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found


@pytest.mark.django_db
def test_the_profile_page_shows_the_new_description(client, resident):
    client.force_login(resident)
    page = client.get(reverse("profile")).content.decode()
    assert (
        gettext(
            "Age-friendly mode: larger, clearer text, bigger buttons, and every explanation shown"
        )
        in page
    )

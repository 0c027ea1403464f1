"""Reaction buttons carry their words: the emoji is decoration, the label is visible text and
the button's accessible name says what it does and how many gave it (in either language)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from gongzhi.deliberation import services
from gongzhi.deliberation.models import ReactionKind
from tests.factories import member


class Buttons(HTMLParser):
    """Each reaction button: its attributes and the text a sighted reader sees in it."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[dict] = []
        self._in: dict | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "button" and "reaction" in (attributes.get("class") or "").split():
            self._in = {"attrs": attributes, "visible": ""}
            self.buttons.append(self._in)
        elif self._in is not None and tag == "span":
            hidden = attributes.get("aria-hidden") == "true" or "visually-hidden" in (
                attributes.get("class") or ""
            )
            self._hidden = self._hidden + 1 if hidden or self._hidden else 0

    def handle_endtag(self, tag):
        if tag == "button":
            self._in = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._in is not None and not self._hidden:
            self._in["visible"] += data


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.django_db
def test_reaction_buttons_say_their_words(client, community, proposal, comment, language):
    services.reaction_toggle(actor=member(community), comment=comment, kind="agree")
    client.force_login(member(community))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    with translation.override(language):
        page = client.get(reverse("proposal_detail", args=[community.slug, proposal.pk]))
        labels = {kind.value: str(kind.label) for kind in ReactionKind}
    parser = Buttons()
    parser.feed(page.content.decode())
    assert [b["attrs"]["value"] for b in parser.buttons] == [k.value for k in ReactionKind]
    for button in parser.buttons:
        label = labels[button["attrs"]["value"]]
        assert label in button["visible"], button  # seen, not only an emoji
        name = button["attrs"]["aria-label"]
        assert label in name
        count = "1" if button["attrs"]["value"] == "agree" else "0"
        assert count in name and count in button["visible"]

"""The demo street's bodies (gongzhi/bodies/demo.py): everything through the services, the same
bodies from the same ``--seed``, and the bodies' pages of the demo answer.

The whole street is seeded twice here, each time inside a savepoint that is rolled back; the
crawl of every page of the seeded street (tests/test_demo_street.py) reaches these pages too.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.bodies.models import (
    Body,
    BodyKind,
    ChosenBy,
    Mandate,
    Opinion,
    Panel,
    PanelStatus,
    Partner,
    ServiceRating,
    Stage,
)
from gongzhi.core import journal
from gongzhi.core.models import Activity, Community

RESIDENTS = 300
TEST_SETTINGS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    SMS_BACKEND="gongzhi.notifications.sms.LocmemSmsBackend",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)


def _seed() -> str:
    out = io.StringIO()
    with TEST_SETTINGS, TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", residents=RESIDENTS, seed=7, quiet=True, stdout=out)
    return out.getvalue()


def _who(mandate: Mandate) -> str:
    return mandate.membership.user.phone if mandate.membership else ""


def _snapshot() -> dict[str, Any]:
    """What the demo's bodies are, without database ids (they differ between runs)."""
    bodies = []
    for body in Body.objects.all_communities().order_by("community__slug", "kind", "name"):
        mandates = sorted(
            (m.position.title, m.seat, _who(m), m.chosen_by, str(m.starts_on), str(m.ends_on))
            for m in Mandate.objects.all_communities()
            .filter(body=body)
            .select_related("position", "membership__user")
        )
        bodies.append(
            (
                body.kind,
                body.name,
                [c.powers for c in body.charters.order_by("version")],
                [(d.kind, d.title, d.votes_for) for d in body.decisions.order_by("pk")],
                mandates,
            )
        )
    panels = [
        (p.title, p.status, p.portfolio_sha256, p.seed, p.drawn_index)
        for p in Panel.objects.all_communities().order_by("title")
    ]
    ratings = sorted(
        (r.service.title, r.user.phone, r.stars)
        for r in ServiceRating.objects.all_communities().select_related("service", "user")
    )
    return {"bodies": bodies, "panels": panels, "ratings": ratings}


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_bodies_and_their_pages_answer():
    runs = []
    for _run in range(2):
        with transaction.atomic():
            started = time.perf_counter()
            out = _seed()
            runs.append(_snapshot())
            if not runs[1:]:
                _check_the_demo(out, time.perf_counter() - started)
            transaction.set_rollback(True)
    assert runs[0] == runs[1]


def _check_the_demo(out: str, seconds: float) -> None:
    assert "seconds=" in out
    xingfu = Community.objects.get(slug="xingfu")
    bodies = Body.objects.in_community(xingfu)
    kinds = set(bodies.values_list("kind", flat=True))
    assert {
        BodyKind.RESIDENTS_COMMITTEE,
        BodyKind.COUNCIL,
        BodyKind.SUPERVISION,
        BodyKind.REVIEW_PANEL,
        BodyKind.INTEREST_GROUP,
        BodyKind.ORGANISATION,
    } <= kinds
    committee = bodies.get(kind=BodyKind.RESIDENTS_COMMITTEE)
    terms = Mandate.objects.in_community(xingfu).filter(body=committee)
    assert terms.filter(chosen_by=ChosenBy.APPOINTMENT).count() == terms.count() >= 10
    assert terms.exclude(ended_at=None).count() == 1  # one resigned
    council = bodies.get(kind=BodyKind.COUNCIL)
    elected = Mandate.objects.in_community(xingfu).filter(body=council)
    assert elected.count() == 5 and all(m.vote_id for m in elected)
    # The demo's supervisor sits on the supervision committee, no community worker does.
    supervisor = User.objects.get(phone="+8613900000004")
    committee_of_supervision = bodies.get(kind=BodyKind.SUPERVISION)
    seated = Mandate.objects.in_community(xingfu).filter(body=committee_of_supervision)
    assert seated.filter(membership__user=supervisor).exists()
    stages = set(
        bodies.filter(incubation__isnull=False).values_list("incubation__stage", flat=True)
    )
    assert stages == {Stage.ACTIVE, Stage.INCUBATING}
    panels = Panel.objects.in_community(xingfu)
    finished = panels.get(status=PanelStatus.ANSWERED)
    assert finished.portfolio_sha256 and finished.seed_entered_by == supervisor
    assert finished.assessment and finished.answer
    assert panels.filter(status=PanelStatus.POOL_OPEN).count() == 1
    opinions = Opinion.objects.in_community(xingfu)
    assert opinions.count() == 2 and opinions.exclude(answer="").count() == 1
    assert Partner.objects.count() == 2
    verbs = set(Activity.objects.in_community(xingfu).values_list("verb", flat=True))
    assert {
        "body.mandate_started",
        "body.mandate_ended",
        "body.decision_recorded",
        "incubation.stage_changed",
        "panel.drawn",
        "panel.answered",
        "opinion.answered",
        "partner.contribution_recorded",
        "partner.service_rated",
    } <= verbs
    assert journal.verify(xingfu) is None
    # The bodies' pages of the demo, as a visitor, a resident and the worker.
    urls = [
        reverse("body_list", args=["xingfu"]),
        reverse("body_detail", args=["xingfu", committee.pk]),
        reverse("body_detail", args=["xingfu", council.pk]),
        reverse("panel_list", args=["xingfu"]),
        reverse("panel_detail", args=["xingfu", finished.pk]),
        reverse("incubation_list", args=["xingfu"]),
        reverse("partner_list", args=["xingfu"]),
        reverse("opinion_list", args=["xingfu"]),
    ]
    # (the bodies are shown to the community's members, not to visitors)
    for phone in ("+8613900000001", "+8613900000002", "+8613900000004"):
        client = Client()
        if phone:
            client.force_login(User.objects.get(phone=phone))
        for url in urls:
            assert client.get(url).status_code == 200, (phone, url)
    supervisor_client = Client()
    supervisor_client.force_login(supervisor)
    dashboard = reverse("supervision_dashboard", args=["xingfu"])
    assert supervisor_client.get(dashboard).status_code == 200

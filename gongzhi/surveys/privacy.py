"""What surveys hold about a person (see ``core.privacy``).

Receipts say that a person answered a round (never what, in an anonymous survey): they stay,
pointing at the tombstone account after an erasure, since a round's response rate and the
one-answer-per-person rule rest on them. Answers a person agreed to have linked to them in an
identified survey are in their copy; an erasure unlinks them (the answers stay, as an anonymous
answer would). Surveys, rounds, paper entries and licensed scales workers made are staff acts
in the journal.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.surveys.models import Invitation, PaperEntry, Receipt, Response

COVERS = frozenset(
    {
        "surveys.Survey.created_by",
        "surveys.Wave.created_by",
        "surveys.Invitation.person",
        "surveys.Receipt.person",
        "surveys.Response.person",
        "surveys.PaperEntry.entered_by",
        "surveys.LicensedScale.added_by",
        "surveys.LicensedScale.confirmed_by",
    }
)


def export(user: Any) -> list[Section]:
    receipts = (
        Receipt.objects.all_communities()
        .filter(person=user)
        .select_related("community", "wave__survey")
        .order_by("pk")
    )
    linked = (
        Response.objects.all_communities()
        .filter(person=user)
        .select_related("community", "wave__survey")
        .order_by("wave_id")
    )
    invited = (
        Invitation.objects.all_communities()
        .filter(person=user)
        .select_related("community", "wave__survey")
        .order_by("pk")
    )
    typed = (
        PaperEntry.objects.all_communities()
        .filter(entered_by=user)
        .select_related("community", "wave__survey")
        .order_by("pk")
    )
    return [
        Section(
            "survey_receipts",
            _("Surveys I answered"),
            rows(
                receipts,
                community="community.slug",
                survey="wave.survey.title",
                round="wave.label",
                receipt="code",
                channel="channel",
                answered_on="answered_on",
            ),
        ),
        Section(
            "survey_answers",
            _("Answers I agreed to have linked to me"),
            rows(
                linked,
                community="community.slug",
                survey="wave.survey.title",
                round="wave.label",
                answers="answers",
            ),
        ),
        Section(
            "survey_invitations",
            _("Survey samples I was drawn for"),
            rows(
                invited,
                community="community.slug",
                survey="wave.survey.title",
                round="wave.label",
                reminded_at="reminded_at",
            ),
        ),
        Section(
            "survey_paper_entries",
            _("Paper questionnaires I typed in"),
            rows(typed, community="community.slug", survey="wave.survey.title", serial="serial"),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    unlinked = (
        Response.objects.all_communities().filter(person=user).update(person=None, consented=False)
    )
    return {"survey_answers_unlinked": unlinked}

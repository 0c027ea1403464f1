"""What surveys show on the community home: the surveys asking this person now. Registered in
``manifest.py``."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from gongzhi.core.home import Tile, TileItem
from gongzhi.core.models import Community
from gongzhi.surveys.models import Invitation, Receipt, SampleKind, Status, Wave

SHOWN = 5


def asking_now(community: Community, user: Any) -> Tile:
    """Rounds open now that ask this person (every resident, or a sample they were drawn for),
    the soonest to close first; "you answered" where they have. One query."""
    now = timezone.now()
    waves: QuerySet[Any] = Wave.objects.in_community(community).filter(
        survey__status=Status.OPEN, opens_at__lte=now, closes_at__gt=now
    )
    if getattr(user, "is_authenticated", False):
        invited = Invitation.objects.in_community(community).filter(
            wave=OuterRef("pk"), person=user
        )
        waves = waves.filter(Q(sample=SampleKind.EVERYONE) | Q(Exists(invited))).annotate(
            answered=Exists(
                Receipt.objects.in_community(community).filter(wave=OuterRef("pk"), person=user)
            )
        )
    else:
        waves = waves.filter(sample=SampleKind.EVERYONE)
    items = [
        TileItem(
            label=wave.survey.title,
            url=reverse(
                "survey_answer", kwargs={"slug": community.slug, "survey_id": wave.survey_id}
            ),
            note=(_("you answered") + " · " if getattr(wave, "answered", False) else "")
            + _("closes in %(time)s") % {"time": timeuntil(wave.closes_at, now)},
            warn=not getattr(wave, "answered", True),
        )
        for wave in waves.select_related("survey").order_by("closes_at", "pk")[:SHOWN]
    ]
    return Tile(
        key="surveys.asking",
        title=_("Surveys asking you"),
        items=items,
        empty=_("No survey is asking for answers now."),
        more_url=reverse("survey_list", kwargs={"slug": community.slug}),
        more_label=_("All surveys"),
    )

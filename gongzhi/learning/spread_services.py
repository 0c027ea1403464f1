"""How leadership spreads (R8.2): a resident's invitation link (邀请链接) that brings a neighbour
into the community, joining through it, and a newcomer saying who brought them in. Each records
a ``recruited`` tie (``connections.record``) from the day it happens; nothing is back-filled.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.models import Community, Membership
from gongzhi.core.policies import require
from gongzhi.core.selectors import member_by_phone
from gongzhi.core.services import membership_join
from gongzhi.learning import connections
from gongzhi.learning.models import Connection, ConnectionKind, InviteLink

#: how long after joining a newcomer may still say who brought them in
NEWCOMER_DAYS = 30


def _require(perm: str, user: Any, community: Community) -> None:
    require(perm, user, community, _("Only members of this community can do this."))


def _live_link(community: Community, owner: Any) -> InviteLink | None:
    return (
        InviteLink.objects.in_community(community)
        .filter(owner=owner, revoked_at__isnull=True)
        .first()
    )


def invite_link_make(*, actor: Any, community: Community) -> tuple[InviteLink, bool]:
    """The member's live invitation link: the one they have, else a new one (True)."""
    _require("learning.make_invite_link", actor, community)
    existing = _live_link(community, actor)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            link = InviteLink.objects.in_community(community).create(owner=actor)
            journal.record(
                community=community, actor=actor, verb="invite_link.created", target=link
            )
    except IntegrityError:
        # A second request made it at the same moment (one live link a person: the constraint).
        made = _live_link(community, actor)
        if made is None:
            raise
        return made, False
    return link, True


def invite_link_revoke(*, actor: Any, community: Community) -> InviteLink:
    """Stop the member's live link: it no longer lets anyone in (people who joined stay)."""
    _require("learning.make_invite_link", actor, community)
    with transaction.atomic():
        link = (
            InviteLink.objects.in_community(community)
            .select_for_update()
            .filter(owner=actor, revoked_at__isnull=True)
            .first()
        )
        if link is None:
            raise ValidationError(_("You have no invitation link to stop."), code="no_invite_link")
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        journal.record(community=community, actor=actor, verb="invite_link.revoked", target=link)
    return link


def _notify_owner(link: InviteLink, person: Any) -> None:
    from gongzhi.core.notify import send

    community = link.community
    send(
        users=[link.owner],
        community=community,
        kind="invite_link_joined",
        message="joined",
        params={"community": community.name, "person": str(person)},
        url=f"/c/{community.slug}/learning/invite/",
    )


def join_by_link(*, actor: Any, community: Community, token: str) -> Membership:
    """Join ``community`` through a neighbour's live link: core's ``membership_join``, a
    ``recruited`` tie from the link's owner, and the journal's ``invite_link.joined``.

    A stopped or unknown link is missing (404). Refused: one's own link (``own_link``), and
    someone who is a member already (``already_member``) — who brought them in is not this
    link, so no tie is recorded."""
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Log in or sign up first."), code="login_required")
    with transaction.atomic():
        # The link's row, locked: a link stopped meanwhile lets nobody in, and two requests of
        # one person through it are taken one after the other (the second finds a member).
        link = (
            InviteLink.objects.in_community(community)
            .select_for_update()
            .select_related("owner", "community")
            .filter(token=token, revoked_at__isnull=True)
            .first()
        )
        if link is None:
            raise Http404
        if link.owner_id == actor.pk:
            raise ValidationError(
                _("This is your own invitation link: share it with a neighbour."), code="own_link"
            )
        # The person's row, locked: joining through two links at once records one recruiter.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        if Membership.objects.in_community(community).filter(user=actor).exists():
            raise ValidationError(
                _("You are already a member of this community, so nothing was recorded."),
                code="already_member",
            )
        membership = membership_join(actor=actor, community=community)
        connections.record(
            community=community, source=link.owner, target=actor, kind=ConnectionKind.RECRUITED
        )
        journal.record(
            community=community,
            actor=actor,
            verb="invite_link.joined",
            target=membership,
            data={"person": actor.pk, "recruiter": link.owner_id},
        )
        transaction.on_commit(lambda: _notify_owner(link, actor))
    return membership


def recruiter_of(community: Community, person: Any) -> Connection | None:
    """The tie of whoever recruited ``person`` (by a link, a name, a course), if any."""
    return (
        Connection.objects.in_community(community)
        .filter(target=person, kind=ConnectionKind.RECRUITED)
        .select_related("source")
        .order_by("at", "pk")
        .first()
    )


def may_name_recruiter(membership: Membership | None, now: Any = None) -> bool:
    """A newcomer: joined within ``NEWCOMER_DAYS`` (the tie's once is checked apart)."""
    now = now or timezone.now()
    return membership is not None and membership.joined_at >= now - timedelta(days=NEWCOMER_DAYS)


def recruited_by_record(*, actor: Any, community: Community, phone: str) -> Connection:
    """A newcomer names, once, the member who brought them in (by the member's phone)."""
    _require("learning.name_recruiter", actor, community)
    with transaction.atomic():
        # The membership's row, locked: naming twice at once keeps one recruiter.
        membership = Membership.objects.in_community(community).select_for_update().get(user=actor)
        if not may_name_recruiter(membership):
            raise ValidationError(
                _("Only people who joined in the last %(days)d days can say who brought them in.")
                % {"days": NEWCOMER_DAYS},
                code="not_newcomer",
            )
        if recruiter_of(community, actor) is not None:
            raise ValidationError(_("We already know who brought you in."), code="recruiter_known")
        recruiter = member_by_phone(phone=phone, community=community)
        if recruiter.pk == actor.pk:
            raise ValidationError(
                _("Please give the phone number of the neighbour who brought you, not yours."),
                code="own_recruiter",
            )
        connections.record(
            community=community, source=recruiter, target=actor, kind=ConnectionKind.RECRUITED
        )
        journal.record(
            community=community,
            actor=actor,
            verb="recruitment.recorded",
            target=membership,
            data={"person": actor.pk, "recruiter": recruiter.pk},
        )
    tie = recruiter_of(community, actor)
    assert tie is not None
    return tie

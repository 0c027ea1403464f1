"""Who may do what on the hotline (接诉即办).

- Filing a ticket: any member of the community (no verification needed: a low barrier); a
  community worker may file for a resident (代办, ``core.act_on_behalf``).
- Managing (triage, changing a category, assigning, merging, closing, reopening, categories and
  departments): the community's workers (社区工作者) and platform admins.
- Handling (accept, start, resolve, add notes): the ticket's assignee, the handlers of its
  department, and the managers.
- Seeing the staff queue: managers, handlers of the community's departments, the officials who
  oversee it and the supervision committee (监督委员会), who see every ticket with its details.
- Seeing a ticket: its reporter and followers, its handlers and the staff above; everyone, for
  a ticket its reporter made public — without personal details (who reported it, the unit,
  contact, photos), which ``feedback.view_details`` guards; internal timeline events and notes
  are for handlers and the staff above (``feedback.view_internal``), not for the reporter.
- Rating: the reporter, once resolved. Reopening: the reporter within ``REOPEN_DAYS`` of the
  resolution (before rating), or a manager.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import rules
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.policies import (
    is_community_worker,
    is_member,
    is_platform_admin,
    is_supervisor,
    oversees,
)
from gongzhi.feedback.models import Status

#: How long after a resolution its reporter may reopen the ticket (and after which an unrated
#: resolved ticket is closed by the deadline sweep).
REOPEN_DAYS = 7

manage_hotline = is_community_worker | is_platform_admin
#: Those who see every ticket of the community with its details, without handling it.
oversee_hotline = manage_hotline | oversees | is_supervisor


def _handler_departments(user: Any, community_id: int) -> set[int]:
    """The departments of ``community_id`` in which ``user`` handles tickets (cached on the
    user object for the request, as ``access_of``)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache: dict[int, set[int]] = user.__dict__.setdefault("_gongzhi_handler_of", {})
    if community_id not in cache:
        from gongzhi.feedback.models import Handler

        cache[community_id] = set(
            Handler.objects.in_community(community_id)
            .filter(user=user, department__active=True)
            .values_list("department_id", flat=True)
        )
    return cache[community_id]


def forget_handler_cache(user: Any) -> None:
    user.__dict__.pop("_gongzhi_handler_of", None)


@rules.predicate
def is_handler_here(user: Any, obj: Any) -> bool:
    """Handles tickets in some department of the community ``obj`` belongs to."""
    community_id = getattr(obj, "community_id", None) or obj.pk  # a Community, or its row
    return bool(_handler_departments(user, community_id))


@rules.predicate
def handles_ticket(user: Any, ticket: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if ticket.assignee_id == user.pk:
        return True
    return ticket.department_id is not None and ticket.department_id in _handler_departments(
        user, ticket.community_id
    )


@rules.predicate
def is_reporter(user: Any, ticket: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and ticket.reporter_id == user.pk


@rules.predicate
def is_public(user: Any, ticket: Any) -> bool:
    return bool(ticket.is_public)


@rules.predicate
def is_resolved(user: Any, ticket: Any) -> bool:
    return ticket.status == Status.RESOLVED


@rules.predicate
def within_reopen_window(user: Any, ticket: Any) -> bool:
    return ticket.resolved_at is not None and timezone.now() <= ticket.resolved_at + timedelta(
        days=REOPEN_DAYS
    )


def visible_q(user: Any, community_id: int) -> Q:
    """The tickets of one community ``user`` may see, as a filter (the same rule as
    ``feedback.view_ticket``)."""
    from gongzhi.core.models import Community

    community = Community(pk=community_id)
    if oversee_hotline(user, community):
        return ~Q(pk=None)
    q = Q(is_public=True)
    if getattr(user, "is_authenticated", False):
        q |= Q(reporter=user) | Q(assignee=user)
        departments = _handler_departments(user, community_id)
        if departments:
            q |= Q(department__in=departments)
    return q


handle = handles_ticket | manage_hotline
details = is_reporter | handles_ticket | oversee_hotline

rules.add_perm("feedback.file", is_member)
rules.add_perm("feedback.manage", manage_hotline)
rules.add_perm("feedback.view_queue", oversee_hotline | is_handler_here)
# Following gives no right to read a private ticket: the followers of one are the reporters of
# tickets merged into it, who follow its progress from their own (closed) ticket's page.
rules.add_perm("feedback.view_ticket", is_public | details)
rules.add_perm("feedback.view_details", details)
# Internal timeline events (routing, staff notes, reminders) are for the people handling the
# ticket and those above them, not for its reporter.
rules.add_perm("feedback.view_internal", handles_ticket | oversee_hotline)
rules.add_perm("feedback.handle", handle)
rules.add_perm("feedback.follow", is_member & (is_public | details))
rules.add_perm("feedback.rate", is_reporter & is_resolved)
rules.add_perm(
    "feedback.reopen", (is_reporter & is_resolved & within_reopen_window) | manage_hotline
)


def can(perm: str, user: Any, obj: Any) -> bool:
    return rules.has_perm(perm, user, obj)

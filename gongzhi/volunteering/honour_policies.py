"""Who may propose, decide and see recognition lists, and who thanks volunteers (honours).

- ``volunteering.propose_recognition`` (a Community): a community worker or those above the
  community (the officials overseeing it, platform admins).
- ``volunteering.decide_recognition`` (a RecognitionList): whoever may record the decisions of
  the body it was proposed to (``bodies.record_decision``: a community worker, those above, or
  a member sitting in the body today). The service refuses the proposer (``own_proposal``).
- ``volunteering.withdraw_recognition`` (a RecognitionList): its proposer, or a worker.
- ``volunteering.view_recognition`` (a RecognitionList): an approved list everyone who sees the
  community; one proposed, rejected or withdrawn the community's staff and those who may
  decide on it.
- ``volunteering.thank`` (a Community): a verified resident.
- ``volunteering.hide_thanks`` (a ThankYouNote): the volunteer it thanks, or a worker (or those
  above), moderating.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_platform_admin,
    is_verified_resident,
    oversees,
)

from_above = oversees | is_platform_admin


@rules.predicate
def records_for_lists_body(user: Any, recognition: Any) -> bool:
    """``user`` may record the decisions of the body the list was proposed to."""
    body = getattr(recognition, "body", None)
    return body is not None and bool(rules.has_perm("bodies.record_decision", user, body))


@rules.predicate
def proposed_it(user: Any, recognition: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(recognition, "proposed_by_id", None) == user.pk
    )


@rules.predicate
def is_approved(user: Any, recognition: Any) -> bool:
    from gongzhi.volunteering.models import RecognitionStatus

    return getattr(recognition, "status", None) == RecognitionStatus.APPROVED


@rules.predicate
def is_thanked_volunteer(user: Any, note: Any) -> bool:
    volunteer = getattr(note, "volunteer", None)
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(volunteer, "person_id", None) == user.pk
    )


propose_recognition = is_community_worker | from_above
decide_recognition = records_for_lists_body
withdraw_recognition = proposed_it | is_community_worker | from_above
view_recognition = is_approved | is_community_staff | records_for_lists_body
thank = is_verified_resident
hide_thanks = is_thanked_volunteer | is_community_worker | from_above

rules.add_perm("volunteering.propose_recognition", propose_recognition)
rules.add_perm("volunteering.decide_recognition", decide_recognition)
rules.add_perm("volunteering.withdraw_recognition", withdraw_recognition)
rules.add_perm("volunteering.view_recognition", view_recognition)
rules.add_perm("volunteering.thank", thank)
rules.add_perm("volunteering.hide_thanks", hide_thanks)


def can(perm: str, user: Any, obj: Any) -> bool:
    return bool(rules.has_perm(f"volunteering.{perm}", user, obj))

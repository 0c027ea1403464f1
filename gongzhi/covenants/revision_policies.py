"""Who acts in a covenant's revision (registered at import).

Reading the revision is reading the covenant (``covenants.view_covenant``).
- ``covenants.decide_amendments`` (a round or an amendment): whoever may record the drafting
  body's decisions (``bodies.record_decision``: a sitting member, a community worker, or from
  above); the charter's power, quorum and threshold are checked when the decision is recorded.
- ``covenants.send_to_vote`` (a round): acts for the body AND may set up votes
  (``voting.manage_votes``: a worker, a council member, a platform admin).
"""

from __future__ import annotations

from typing import Any

import rules


def _round(obj: Any) -> Any:
    return obj.round if hasattr(obj, "round_id") else obj


@rules.predicate
def acts_for_drafting_body(user: Any, obj: Any) -> bool:
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    body = _round(obj).covenant.drafting_body
    return bool(rules.has_perm("bodies.record_decision", user, body))


@rules.predicate
def manages_votes(user: Any, obj: Any) -> bool:
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(rules.has_perm("voting.manage_votes", user, _round(obj).covenant.community))


rules.add_perm("covenants.decide_amendments", acts_for_drafting_body)
rules.add_perm("covenants.send_to_vote", acts_for_drafting_body & manages_votes)

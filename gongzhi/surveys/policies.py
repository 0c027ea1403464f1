"""Who may build surveys, answer them and read their results.

- Building a survey, opening and closing its waves, drawing a sample, typing in paper answers,
  adding a licensed scale's items: community workers (and officials overseeing the community,
  platform admins, as everywhere).
- Confirming a licensed scale's items: a second community worker, not the one who added them.
- Answering: verified residents of the community, during an open wave (and, when the wave
  goes to a sample, only those drawn).
- Results (scores, reliability, before/after): community workers and the supervision committee
  (监督委员会), as the evaluation dashboard.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_staff, is_supervisor, is_verified_resident

manage_surveys = is_community_staff
view_results = is_community_staff | is_supervisor

rules.add_perm("surveys.manage", manage_surveys)
rules.add_perm("surveys.view_results", view_results)
rules.add_perm("surveys.answer", is_verified_resident)


def can_manage(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("surveys.manage", user, community))


def can_view_results(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("surveys.view_results", user, community))

"""Who may see evaluation and record interventions.

- The dashboard, its report and exports: community workers and the supervision committee
  (监督委员会) of the community, street and district officials overseeing it, platform admins.
  Not residents: the group splits are sensitive even with small cells hidden.
- Recording or ending an intervention: community workers, officials overseeing the community,
  platform admins.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_staff, is_supervisor

view_evaluation = is_community_staff | is_supervisor
record_intervention = is_community_staff

rules.add_perm("evaluation.view", view_evaluation)
rules.add_perm("evaluation.record_intervention", record_intervention)


def can_view_evaluation(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("evaluation.view", user, community))


def can_record_intervention(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("evaluation.record_intervention", user, community))

"""Who may do what on the leadership ladder (R8.2); registered from apps.ready.

- ``learning.view_pathway`` (a Community): a member sees their own pathway (only their own: the
  pages and the API read it for the person asking).
- ``learning.pipeline_choice`` (a Community): a member says whether workers may list them as
  ready to lead.
- ``learning.view_pipeline`` (a Community): the pipeline — ``learning.manage`` (the community's
  workers and those above it).
- ``learning.invite`` (a Community): ``learning.manage``; the service refuses inviting oneself
  and someone who opted out.
- ``learning.view_invitation`` (an Invitation): the person invited, or ``learning.manage``.
- ``learning.answer_invitation`` (an Invitation): the person invited, nobody else.
- ``learning.withdraw_invitation`` (an Invitation): ``learning.manage`` on its community.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_member
from gongzhi.learning.policies import is_learning_staff


@rules.predicate
def is_the_invited(user: Any, invitation: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(invitation, "person_id", None) == user.pk
    )


rules.add_perm("learning.view_pathway", is_member)
rules.add_perm("learning.pipeline_choice", is_member)
rules.add_perm("learning.view_pipeline", is_learning_staff)
rules.add_perm("learning.invite", is_learning_staff)
rules.add_perm("learning.view_invitation", is_the_invited | is_learning_staff)
rules.add_perm("learning.answer_invitation", is_the_invited)
rules.add_perm("learning.withdraw_invitation", is_learning_staff)

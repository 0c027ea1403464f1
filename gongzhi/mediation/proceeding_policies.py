"""Permissions of the proceedings part (rules predicates, registered at import).

A case's proceedings are seen only by its viewers (``mediation.view_case``: its parties, its
mediators with an open assignment, the committee's head). Within them:

- ``mediation.mediate``: an open mediator records sessions and paper signatures, drafts and
  signs the agreement, records a withdrawal or a failure to agree;
- ``mediation.seal_agreement``: the committee's head seals the agreement;
- ``mediation.conclude_case`` and ``mediation.follow_up``: a mediator or the head;
- ``mediation.attach``: any viewer adds an attachment (a party's evidence too).

Each takes a case (the predicates are the cases part's, policies.py).
"""

from __future__ import annotations

import rules

from gongzhi.mediation.policies import is_case_mediator, is_committee_head, view_case

rules.add_perm("mediation.mediate", is_case_mediator)
rules.add_perm("mediation.seal_agreement", is_committee_head)
rules.add_perm("mediation.conclude_case", is_case_mediator | is_committee_head)
rules.add_perm("mediation.follow_up", is_case_mediator | is_committee_head)
rules.add_perm("mediation.attach", view_case)

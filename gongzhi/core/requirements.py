"""Role requirements (R8.1): a role that needs a qualification in a community — a mediator
mediation training, the chair of a council meeting the chairing course — checked when the role
is given, without core knowing the app that trains people or the apps that give the roles.

- The roles: ``core.Role``'s grantable roles (core's manifest) and any role an app declares in
  its manifest's ``REQUIRABLE_ROLES = {code: Requirable(label, suggested, holders)}`` (the chair
  of a meeting, a volunteer team's leader).
- The qualifications: ``core/qualifications.py`` (the learning app declares them and checks
  who holds one on a day).
- A community turns a requirement on (``RoleRequirement``); off by default. From its
  ``applies_from`` day, ``check()`` refuses to give the role to someone who does not hold the
  qualification on the day — unless they held the role when it was turned on
  (``RequirementExemption``: kept, and reminded to qualify).

Every app that gives a role calls ``check(community, person, role)`` inside its transaction
before it gives it: core's ``role_grant``, the bodies' terms of office, a meeting's chair, a
team's leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from gongzhi.core.manifests import collect


@dataclass(frozen=True)
class Requirable:
    #: gettext_lazy: what a person reads ("chair of a meeting")
    label: Any
    #: the qualification code a community would usually ask for ("chairing"), or ""
    suggested: str = ""
    #: dotted path of ``holders(community) -> set[int]``: the user ids holding the role now
    #: (kept when a requirement is turned on), or "" when the role is held by ``RoleGrant``
    holders: str = ""


def registry() -> dict[str, Requirable]:
    """``{role code: Requirable}`` from every manifest (core's grantable roles included)."""
    return cast("dict[str, Requirable]", collect("REQUIRABLE_ROLES"))

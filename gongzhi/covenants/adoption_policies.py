"""Who adopts a covenant (the adoption part).

- ``covenants.adopt`` (a community, covenant or round): its community workers (and platform
  admins): they put the consolidated text to the ratification vote (which the voting app's own
  ``voting.manage_votes`` also checks), submit the filing and publish the covenant in force.
- ``covenants.receive_filing`` (the same): a street official overseeing the community receives
  the filing (备案) for the street office; never the one who submitted it (the service refuses
  that with ``own_filing``: separation of duties).
- ``covenants.acknowledge`` (the same): verified residents confirm for their household; the
  service checks the household and, for a building covenant, the building.
- ``covenants.view_acknowledgements`` (the same): the staff read which households confirmed;
  everyone who reads the covenant reads the counts.
"""

from __future__ import annotations

import rules

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_platform_admin,
    is_verified_resident,
    oversees,
)

rules.add_perm("covenants.adopt", is_community_worker | is_platform_admin)
rules.add_perm("covenants.receive_filing", oversees)
rules.add_perm("covenants.acknowledge", is_verified_resident)
rules.add_perm("covenants.view_acknowledgements", is_community_staff)

"""Who issues, sees and exports certificates, and who rotates the community's signing key.

- ``volunteering.issue_certificate`` (a Volunteer, or the Community): a community worker or
  someone from above; never for themself (the service refuses that: ``own_certificate``).
- ``volunteering.view_certificate`` (a Certificate): its holder and the community's staff
  (the PDF, the certificate's page). Anyone may see the public verification page.
- ``volunteering.rotate_signing_key`` (the Community): a community worker or from above.
- ``volunteering.export_records`` (the Community): staff; phone numbers are shown in full only
  to those who also hold ``volunteering.manage``.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_staff
from gongzhi.volunteering.policies import from_above, manage


@rules.predicate
def holds_certificate(user: Any, certificate: Any) -> bool:
    if certificate is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(certificate.volunteer.person_id == user.pk)


issue_certificate = manage
view_certificate = holds_certificate | is_community_staff | from_above
rotate_signing_key = manage
export_records = is_community_staff | from_above

rules.add_perm("volunteering.issue_certificate", issue_certificate)
rules.add_perm("volunteering.view_certificate", view_certificate)
rules.add_perm("volunteering.rotate_signing_key", rotate_signing_key)
rules.add_perm("volunteering.export_records", export_records)

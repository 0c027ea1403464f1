"""Who may do what in information disclosure (信息公开).

- Everyone, logged in or not, reads published announcements, published documents with all
  their versions, published finance periods with their approved entries, notice boards and
  feeds. A voucher is public once its entry is (finance disclosure shows the evidence).
- Members of the community (verified or not) confirm that they have read an important notice.
- Community workers and platform admins write: announcements, documents, ledger entries,
  periods, notice boards; they see drafts and pending entries.
- Approving a ledger entry: a community worker, a member of the supervision committee
  (监督委员会, R5.3) or a platform admin — never the person who entered it (the service checks,
  and a check constraint holds it in the database).
- Street and district officials read everything staff read, drafts included, but do not write.
- Who has not yet read an important notice, with their phone and household, is for staff only.
"""

from __future__ import annotations

import rules

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    is_supervisor,
)

write_disclosure = is_community_worker | is_platform_admin

rules.add_perm("disclosure.view", rules.always_allow)
rules.add_perm("disclosure.view_drafts", is_community_staff)
rules.add_perm("disclosure.manage", write_disclosure)
rules.add_perm("disclosure.confirm_read", is_member)
rules.add_perm("disclosure.view_unread", is_community_staff)
rules.add_perm("disclosure.view_ledger_drafts", is_community_staff | is_supervisor)
rules.add_perm("disclosure.approve_entry", write_disclosure | is_supervisor)

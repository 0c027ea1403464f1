"""Who may do what with shared spaces: the catalogue is read by the community's members and
staff; spaces are set up by community workers; requests are decided by a space's managers
(``booking.may_decide``), never by the person who asked."""

from __future__ import annotations

import rules

from gongzhi.core.policies import is_community_staff, is_community_worker, is_member

view_spaces = is_member | is_community_staff
manage_spaces = is_community_worker

rules.add_perm("spaces.view_spaces", view_spaces)
rules.add_perm("spaces.manage_spaces", manage_spaces)

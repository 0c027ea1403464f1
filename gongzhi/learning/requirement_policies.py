"""Permissions of the requirements part: turning a role's requirement on or off is core's
``core.manage_requirements`` (a community worker, or from above: core/policies.py), since core
gives the roles and checks them; the pages and the API ask that permission."""

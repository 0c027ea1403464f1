"""Permissions of the cases part (rules predicates, registered at import)."""

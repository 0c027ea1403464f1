"""Permissions of the drafting part (rules predicates, registered at import)."""

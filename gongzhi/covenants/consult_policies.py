"""Permissions of the consultation part (rules predicates, registered at import)."""

"""Permissions of the proceedings part (rules predicates, registered at import)."""

"""Permissions of the adoption part (rules predicates, registered at import)."""

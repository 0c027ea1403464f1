"""Permissions of the revision part (rules predicates, registered at import)."""

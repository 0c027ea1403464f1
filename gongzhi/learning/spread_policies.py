"""Permissions of this part (registered from apps.ready)."""

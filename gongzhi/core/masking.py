"""How a person's name is shown where the public may read it (a certificate, its verification
page): first and last character kept. A plain module: the certificates' command line uses it."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """王小芳 → 王*芳, 王芳 → 王*, Alice → A***e; a name already masked stays as it is."""
    name = name.strip()
    if len(name) <= 1 or "*" in name:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"

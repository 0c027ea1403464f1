"""What each journal verb means to a person reading their record (from the apps' manifests)."""

from __future__ import annotations

from gongzhi.core.manifests import verb_labels


def verb_label(verb: str) -> str:
    return str(verb_labels().get(verb, verb))

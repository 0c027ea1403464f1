"""What the evaluation commands share: finding a community by its slug."""

from __future__ import annotations

from django.core.management.base import CommandError

from gongzhi.core.models import Community


def community_by_slug(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise CommandError(f"no community with slug {slug!r} (see the admin site's communities)")
    return community

"""Spaces' booking part: its pages under /c/<slug>/spaces/."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

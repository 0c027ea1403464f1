"""Pages of this part; `urlpatterns` is included by meetings/urls.py."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

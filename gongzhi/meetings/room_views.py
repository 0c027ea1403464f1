"""Pages of this part; `urlpatterns` is included by meetings/urls.py under /c/<slug>/meetings/."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

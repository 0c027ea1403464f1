"""A person's calendar feed, under /calendar/ (outside any community: it holds all of theirs)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []  # owner: calendar

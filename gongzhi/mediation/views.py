"""Pages of the cases part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Pages of the consultation part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Pages of the statistics part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

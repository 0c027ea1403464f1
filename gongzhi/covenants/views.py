"""Pages of the drafting part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

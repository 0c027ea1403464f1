"""Pages of the revision part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Pages of the adoption part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

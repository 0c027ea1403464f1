"""Pages of the proceedings part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Pages of this part, under /c/<slug>/learning/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

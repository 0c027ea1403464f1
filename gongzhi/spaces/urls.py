"""Spaces, under /c/<slug>/spaces/: each part's pages declare their own ``urlpatterns``."""

from gongzhi.spaces import (
    booking_views,
    forecast_views,
    lending_views,
    revival_views,
    series_views,
    views,
)

urlpatterns = [
    *views.urlpatterns,
    *booking_views.urlpatterns,
    *series_views.urlpatterns,
    *lending_views.urlpatterns,
    *revival_views.urlpatterns,
    *forecast_views.urlpatterns,
]

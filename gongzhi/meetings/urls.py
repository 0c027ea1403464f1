"""Meetings, under /c/<slug>/meetings/: each part's pages declare their own ``urlpatterns``.

The decision register lives at /c/<slug>/decisions/ (``register_urls.py``)."""

from gongzhi.meetings import (
    agenda_views,
    calendar_views,
    hearing_views,
    minutes_views,
    room_views,
    views,
)

urlpatterns = [
    *views.urlpatterns,
    *agenda_views.urlpatterns,
    *room_views.urlpatterns,
    *minutes_views.urlpatterns,
    *hearing_views.urlpatterns,
    *calendar_views.urlpatterns,
]

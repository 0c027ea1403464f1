"""Learning, under /c/<slug>/learning/: each part's pages declare their own ``urlpatterns``."""

from gongzhi.learning import (
    attendance_views,
    award_views,
    ladder_views,
    requirement_views,
    spread_views,
    views,
)

urlpatterns = [
    *views.urlpatterns,
    *attendance_views.urlpatterns,
    *award_views.urlpatterns,
    *requirement_views.urlpatterns,
    *ladder_views.urlpatterns,
    *spread_views.urlpatterns,
]

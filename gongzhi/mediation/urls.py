"""Mediation, under /c/<slug>/mediation/: each part's pages declare their own ``urlpatterns``."""

from gongzhi.mediation import proceeding_views, stats_views, views

urlpatterns = [
    *views.urlpatterns,
    *proceeding_views.urlpatterns,
    *stats_views.urlpatterns,
]

"""Bodies, under /c/<slug>/bodies/: each part's pages declare their own ``urlpatterns``."""

from gongzhi.bodies import incubation_views, panel_views, partner_views, supervision_views, views

urlpatterns = [
    *views.urlpatterns,
    *incubation_views.urlpatterns,
    *panel_views.urlpatterns,
    *supervision_views.urlpatterns,
    *partner_views.urlpatterns,
]

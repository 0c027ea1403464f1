"""Covenants, under /c/<slug>/covenants/: each part's pages declare their own ``urlpatterns``."""

from gongzhi.covenants import adoption_views, consult_views, revision_views, views

urlpatterns = [
    *views.urlpatterns,
    *consult_views.urlpatterns,
    *revision_views.urlpatterns,
    *adoption_views.urlpatterns,
]

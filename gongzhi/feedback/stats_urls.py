"""The hotline's statistics, under /c/<slug>/hotline/stats/."""

from django.urls import path

from gongzhi.feedback import stats_views

urlpatterns = [
    path("", stats_views.stats_page, name="hotline_stats"),
    path("export.<str:fmt>", stats_views.stats_export, name="hotline_stats_export"),
]

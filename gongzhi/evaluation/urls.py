"""Evaluation's pages, under /c/<slug>/evaluation/."""

from django.urls import path

from gongzhi.evaluation import comparison_views, views

urlpatterns = [
    path("", views.dashboard, name="evaluation_dashboard"),
    path("report/", views.report, name="evaluation_report"),
    path("report.pdf", views.report_pdf, name="evaluation_report_pdf"),
    path("export.<str:fmt>", views.export, name="evaluation_export"),
    path("did/", comparison_views.did_page, name="evaluation_did"),
    path("factors/", comparison_views.factors_page, name="evaluation_factors"),
    path("interventions/", views.intervention_create, name="evaluation_intervention_create"),
    path(
        "interventions/<int:intervention_id>/end/",
        views.intervention_end,
        name="evaluation_intervention_end",
    ),
]

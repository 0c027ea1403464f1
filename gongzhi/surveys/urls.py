"""Surveys, under /c/<slug>/surveys/. The builder's and the results' pages are added below."""

from django.urls import path

from gongzhi.surveys import builder_views, views

W = "<int:survey_id>/waves/<int:wave_id>/"

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("<int:survey_id>/", views.survey_answer, name="survey_answer"),
    path("<int:survey_id>/waves/", views.survey_waves, name="survey_waves"),
    path("<int:survey_id>/open/", views.survey_open, name="survey_open"),
    path("<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path(W, views.survey_wave, name="survey_wave"),
    path(W + "receipt/", views.survey_receipt, name="survey_receipt"),
    path(W + "draw/", views.wave_draw, name="survey_wave_draw"),
    path(W + "end/", views.wave_end, name="survey_wave_end"),
    path(W + "candidates.txt", views.wave_frame, name="survey_wave_frame"),
    path(W + "paper/", views.paper_entry, name="survey_paper_entry"),
    path(W + "answers.<str:fmt>", views.wave_export, name="survey_wave_export"),
    # The builder, the scale library and the results (builder_views).
    path("new/", builder_views.survey_new, name="surveys_new"),
    path("import/", builder_views.survey_import, name="surveys_import"),
    path("scales/", builder_views.scale_library, name="surveys_scales"),
    path("scales/add/", builder_views.scale_add, name="surveys_scale_add"),
    path("scales/licence/", builder_views.scale_license, name="surveys_scale_license"),
    path(
        "scales/licence/<int:licensed_id>/confirm/",
        builder_views.scale_confirm,
        name="surveys_scale_confirm",
    ),
    path("<int:pk>/build/", builder_views.builder, name="surveys_builder"),
    path("<int:pk>/build/preview/", builder_views.builder_preview, name="surveys_builder_preview"),
    path(
        "<int:pk>/build/question/", builder_views.builder_question, name="surveys_builder_question"
    ),
    path(
        "<int:pk>/build/question/<str:name>/",
        builder_views.builder_question,
        name="surveys_builder_question_edit",
    ),
    path(
        "<int:pk>/build/section/<str:name>/",
        builder_views.builder_section,
        name="surveys_builder_section",
    ),
    path(
        "<int:pk>/build/logic/<str:name>/",
        builder_views.builder_logic,
        name="surveys_builder_logic",
    ),
    path("<int:pk>/build/<str:action>/", builder_views.builder_edit, name="surveys_builder_edit"),
    path(
        "<int:pk>/xlsform.xlsx", builder_views.survey_export_xlsform, name="surveys_export_xlsform"
    ),
    path("<int:pk>/results/", builder_views.survey_results, name="surveys_results"),
    path("<int:pk>/results/report/", builder_views.survey_report, name="surveys_report"),
    path("<int:pk>/results/report.pdf", builder_views.survey_report_pdf, name="surveys_report_pdf"),
]

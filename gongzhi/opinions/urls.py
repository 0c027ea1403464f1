"""Conversations, under /c/<slug>/conversations/."""

from django.urls import path

from gongzhi.opinions import views

one = "<int:conversation_id>"

urlpatterns = [
    path("", views.conversation_list, name="conversation_list"),
    path("new/", views.conversation_create, name="conversation_create"),
    path("import/", views.conversation_import, name="conversation_import"),
    path(f"{one}/", views.conversation_detail, name="conversation_detail"),
    path(f"{one}/vote/", views.vote_page, name="opinion_vote"),
    path(f"{one}/statements/", views.statement_add, name="statement_add"),
    path(f"{one}/moderation/", views.moderation_queue, name="opinion_moderation"),
    path(
        f"{one}/statements/<int:number>/moderate/",
        views.statement_moderate,
        name="statement_moderate",
    ),
    path(f"{one}/results/", views.results, name="opinion_results"),
    path(f"{one}/report/", views.report, name="opinion_report"),
    path(f"{one}/export/<str:name>", views.export_file, name="opinion_export"),
]

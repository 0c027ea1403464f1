"""Participatory budgets, under /c/<slug>/budgets/."""

from django.urls import path

from gongzhi.budgeting import views
from gongzhi.deliberation.urls import discussion_urls

one = "<int:process_id>"
idea = f"{one}/ideas/<int:idea_id>"

urlpatterns = [
    path("", views.process_list, name="budget_list"),
    path("new/", views.process_create, name="budget_create"),
    path("import/", views.pabulib_import, name="budget_import"),
    path(f"{one}/", views.process_detail, name="budget_detail"),
    path(f"{one}/edit/", views.process_edit, name="budget_edit"),
    path(f"{one}/panel/", views.panel, name="budget_panel"),
    path(f"{one}/ideas/new/", views.idea_submit, name="budget_idea_submit"),
    path(f"{idea}/", views.idea_detail, name="budget_idea"),
    # The idea's discussion is the deliberation hall's (comments, replies, moderation, reactions).
    *discussion_urls(f"{idea}/", views.idea_subject, "budget_idea_comment"),
    path(f"{idea}/review/", views.idea_review, name="budget_idea_review"),
    path(f"{idea}/decide/", views.idea_decide, name="budget_idea_decide"),
    path(f"{idea}/photos/<int:photo_id>", views.photo_file, name="budget_photo"),
    path(f"{one}/ballot/", views.ballot, name="budget_ballot"),
    path(f"{one}/count/", views.count, name="budget_count"),
    path(f"{one}/results/", views.results, name="budget_results"),
    path(f"{one}/export.pb", views.export_pb, name="budget_export"),
    path(f"{one}/paper/", views.paper, name="budget_paper"),
    path(f"{one}/paper/issue/", views.paper_issue, name="budget_paper_issue"),
    path(f"{one}/paper/enter/", views.paper_enter, name="budget_paper_enter"),
    path(f"{idea}/progress/", views.progress, name="budget_progress"),
    path(f"{idea}/progress/report/", views.progress_report, name="budget_progress_report"),
    path(f"{idea}/progress/milestones/", views.milestone_add, name="budget_milestone_add"),
    path(
        f"{idea}/progress/milestones/<int:milestone_id>/done/",
        views.milestone_done,
        name="budget_milestone_done",
    ),
    path(f"{idea}/progress/spending/", views.spending_add, name="budget_spending_add"),
    path(f"{idea}/progress/comment/", views.progress_comment, name="budget_progress_comment"),
    path(
        f"{idea}/progress/photos/<int:photo_id>",
        views.progress_photo,
        name="budget_progress_photo",
    ),
]

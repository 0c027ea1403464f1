"""The deliberation hall's pages, under /c/<slug>/proposals/."""

from django.urls import path

from gongzhi.deliberation import views

comment = "<int:proposal_id>/comments/<int:comment_id>"

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.proposal_create, name="proposal_create"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path(
        "moderation/appeals/<int:appeal_id>/decide/",
        views.appeal_decide,
        name="appeal_decide",
    ),
    path("<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("<int:proposal_id>/support/", views.proposal_support, name="proposal_support"),
    path("<int:proposal_id>/follow/", views.proposal_follow, name="proposal_follow"),
    path("<int:proposal_id>/comments/", views.comment_add, name="comment_add"),
    path("<int:proposal_id>/answer/", views.proposal_answer, name="proposal_answer"),
    path(
        "<int:proposal_id>/files/<int:attachment_id>/",
        views.attachment_file,
        name="attachment_file",
    ),
    path("<int:proposal_id>/flag/", views.item_flag, name="proposal_flag"),
    path("<int:proposal_id>/hide/", views.item_hide, name="proposal_hide"),
    path("<int:proposal_id>/dismiss-flags/", views.item_dismiss_flags, name="proposal_dismiss"),
    path("<int:proposal_id>/appeal/", views.item_appeal, name="proposal_appeal"),
    path(f"{comment}/flag/", views.item_flag, name="comment_flag"),
    path(f"{comment}/hide/", views.item_hide, name="comment_hide"),
    path(f"{comment}/dismiss-flags/", views.item_dismiss_flags, name="comment_dismiss"),
    path(f"{comment}/appeal/", views.item_appeal, name="comment_appeal"),
    path(f"{comment}/react/", views.reaction_toggle, name="comment_react"),
]

"""The deliberation hall's pages, under /c/<slug>/proposals/."""

from django.urls import path

from gongzhi.deliberation import views

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.proposal_create, name="proposal_create"),
    path("<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("<int:proposal_id>/support/", views.proposal_support, name="proposal_support"),
    path("<int:proposal_id>/follow/", views.proposal_follow, name="proposal_follow"),
    path("<int:proposal_id>/comments/", views.comment_add, name="comment_add"),
    path("<int:proposal_id>/answer/", views.proposal_answer, name="proposal_answer"),
]

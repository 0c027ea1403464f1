"""Votes, under /c/<slug>/votes/."""

from django.urls import path

from gongzhi.voting import views

urlpatterns = [
    path("", views.vote_list, name="vote_list"),
    path("new/", views.vote_create, name="vote_create"),
    path("<int:vote_id>/", views.vote_detail, name="vote_detail"),
    path("<int:vote_id>/ballot/", views.ballot_cast, name="ballot_cast"),
    path("<int:vote_id>/published/", views.vote_published, name="vote_published"),
    path("<int:vote_id>/paper/", views.paper_entry, name="paper_entry"),
    path("<int:vote_id>/owners/", views.owner_roll, name="owner_roll"),
]

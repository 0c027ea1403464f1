"""The hotline's pages, under /c/<slug>/hotline/."""

from django.urls import include, path

from gongzhi.feedback import views

one = "<int:number>"

urlpatterns = [
    path("", views.home, name="hotline_home"),
    path("new/", views.file, name="hotline_file"),
    path("mine/", views.mine, name="hotline_mine"),
    path("public/", views.public, name="hotline_public"),
    path("queue/", views.queue, name="hotline_queue"),
    path("settings/", views.hotline_settings, name="hotline_settings"),
    path("settings/<slug:code>/", views.category_edit, name="hotline_category_edit"),
    path(f"{one}/", views.ticket, name="hotline_ticket"),
    path(f"{one}/photos/<int:photo_id>", views.photo, name="hotline_photo"),
    path(f"{one}/follow/", views.step, {"name": "follow"}, name="hotline_follow"),
    path(f"{one}/category/", views.step, {"name": "recategorise"}, name="hotline_recategorise"),
    path(f"{one}/assign/", views.step, {"name": "assign"}, name="hotline_assign"),
    path(f"{one}/accept/", views.step, {"name": "accept"}, name="hotline_accept"),
    path(f"{one}/start/", views.step, {"name": "start"}, name="hotline_start"),
    path(f"{one}/resolve/", views.step, {"name": "resolve"}, name="hotline_resolve"),
    path(f"{one}/note/", views.step, {"name": "note"}, name="hotline_note"),
    path(f"{one}/close/", views.step, {"name": "close"}, name="hotline_close"),
    path(f"{one}/reopen/", views.step, {"name": "reopen"}, name="hotline_reopen"),
    path(f"{one}/rate/", views.step, {"name": "rate"}, name="hotline_rate"),
    path(f"{one}/merge/", views.step, {"name": "merge"}, name="hotline_merge"),
    path("stats/", include("gongzhi.feedback.stats_urls")),
]

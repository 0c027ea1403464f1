"""A person's rights over their data, under their profile (/profile/…)."""

from django.urls import path

from gongzhi.accounts import views

urlpatterns = [
    path("data/", views.my_data, name="my_data"),
    path("data/download/", views.my_data_download, name="my_data_download"),
    path("erase/", views.erasure, name="account_erasure"),
]

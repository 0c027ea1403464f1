"""The decision register, under /c/<slug>/decisions/."""

from gongzhi.meetings import register_views

urlpatterns = [*register_views.urlpatterns]

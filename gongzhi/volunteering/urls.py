"""Volunteering, under /c/<slug>/volunteering/: each part's pages declare their own
``urlpatterns``."""

from gongzhi.volunteering import (
    aid_views,
    certificate_views,
    honour_views,
    ledger_views,
    shift_views,
    views,
)

urlpatterns = [
    *views.urlpatterns,
    *shift_views.urlpatterns,
    *ledger_views.urlpatterns,
    *certificate_views.urlpatterns,
    *honour_views.urlpatterns,
    *aid_views.urlpatterns,
]

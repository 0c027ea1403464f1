"""Information disclosure (信息公开), under /c/<slug>/notices/."""

from django.urls import path

from gongzhi.disclosure import feeds, views

entry = "finance/entries/<int:entry_id>"
period = "finance/periods/<int:period_id>"
document = "documents/<int:document_id>"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("new/", views.notice_create, name="notice_create"),
    path("<int:announcement_id>/", views.notice_detail, name="notice_detail"),
    path("<int:announcement_id>/publish/", views.notice_publish, name="notice_publish"),
    path("<int:announcement_id>/pin/", views.notice_pin, name="notice_pin"),
    path("<int:announcement_id>/confirm/", views.notice_confirm, name="notice_confirm"),
    path("<int:announcement_id>/unread/", views.notice_unread, name="notice_unread"),
    path("finance/", views.finance_home, name="finance_home"),
    path("finance/entries/", views.entry_list, name="finance_entries"),
    path("finance/entries/new/", views.entry_create, name="finance_entry_create"),
    path(f"{entry}/", views.entry_detail, name="finance_entry"),
    path(f"{entry}/approve/", views.entry_approve, name="finance_entry_approve"),
    path(f"{entry}/reject/", views.entry_reject, name="finance_entry_reject"),
    path(f"{entry}/correct/", views.entry_correct, name="finance_entry_correct"),
    path(f"{entry}/voucher", views.voucher_file, name="finance_voucher"),
    path("finance/periods/new/", views.period_create, name="finance_period_create"),
    path(f"{period}/", views.period_detail, name="finance_period"),
    path(f"{period}/publish/", views.period_publish, name="finance_period_publish"),
    path(f"{period}/report.<str:fmt>", views.period_export, name="finance_period_export"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_create, name="document_create"),
    path(f"{document}/", views.document_detail, name="document_detail"),
    path(f"{document}/v/<int:number>/", views.document_detail, name="document_version"),
    path(f"{document}/diff/", views.document_diff, name="document_diff"),
    path(f"{document}/edit/", views.document_edit, name="document_edit"),
    path(f"{document}/publish/", views.document_publish, name="document_publish"),
    path("boards/", views.board_list, name="board_list"),
    path("boards/new/", views.board_create, name="board_create"),
    path("boards/<int:board_id>/", views.board_detail, name="board_detail"),
    path("feed/rss/", feeds.DisclosureRss(), name="notice_feed_rss"),
    path("feed/atom/", feeds.DisclosureAtom(), name="notice_feed_atom"),
]

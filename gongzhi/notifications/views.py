"""The inbox, and the staff's log of e-mails and texts that have not gone out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.manifests import notification_kinds
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get
from gongzhi.notifications import selectors
from gongzhi.notifications.forms import ChannelPreferencesForm
from gongzhi.notifications.models import Delivery
from gongzhi.notifications.policies import is_staff_anywhere
from gongzhi.notifications.services import (
    delivery_retry_now,
    notification_mark_read,
    preferences_save,
)
from gongzhi.notifications.sms import LOGIN_CODE, UNKNOWN_ACCOUNT

DELIVERY_PAGE_SIZE = 30

#: Kinds that are not notifications a person chooses channels for.
SYSTEM_KINDS = {
    LOGIN_CODE: gettext_lazy("Login or verification code"),
    UNKNOWN_ACCOUNT: gettext_lazy("Login attempt by a number without an account"),
}
STATUS_CHOICES = [
    ("", gettext_lazy("Not sent yet or failed")),
    ("failed", gettext_lazy("Failed")),
    ("pending", gettext_lazy("Waiting to be sent")),
    ("sent", gettext_lazy("Sent")),
]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(selectors.notifications_of(user=user), 30).get_page(request.GET.get("page"))
    # Each in the language the page is in, which follows the reader's choice.
    shown = [(notification, notification.rendered()) for notification in page]
    return render(request, "notifications/inbox.html", {"page": page, "shown": shown})


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which kinds also come by e-mail or SMS: by area, only the kinds this person receives,
    only the channels they have an address for."""
    user = request_user(request)
    form = ChannelPreferencesForm(
        posted(request), user=user, stored=selectors.channel_preferences(user=user)
    )
    if request.method == "POST" and form.is_valid():
        preferences_save(user=user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "sections": form.grouped(), "channels": form.channels},
    )


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=request.user)
    return redirect("inbox")


@login_required
@require_GET
def delivery_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Messages that failed or wait for another try: of one community (its staff console), or
    of every community the viewer serves (platform admins: all, login codes included)."""
    community = None
    if slug is not None:
        community = community_get(
            slug=slug, user=request.user, perm="notifications.view_deliveries"
        )
    elif not is_staff_anywhere(request.user):
        raise Http404
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS:
        status = ""
    page = paginate_by_ids(
        selectors.deliveries_for_staff(viewer=request.user, community=community, status=status),
        request.GET.get("page"),
        DELIVERY_PAGE_SIZE,
    )
    labels = {**notification_kinds(), **SYSTEM_KINDS}
    for delivery in page:
        delivery.kind_label = labels.get(delivery.kind, delivery.kind)
    return render(
        request,
        "notifications/deliveries.html",
        {
            "community": community,
            "page": page,
            "status": status,
            "status_choices": STATUS_CHOICES,
            "statuses": Delivery.Status,
        },
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_get(viewer=request.user, delivery_id=delivery_id)
    tries_before = delivery.attempts
    try:
        delivery = delivery_retry_now(actor=request.user, delivery=delivery)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if delivery.status == Delivery.Status.SENT:
            messages.success(request, _("Sent."))
        elif delivery.attempts > tries_before:  # tried at once (a task backend that runs now)
            messages.error(
                request,
                _("Tried again; it did not go through: %(error)s")
                % {"error": delivery.error_message or delivery.error_code},
            )
        else:
            messages.success(request, _("It will be sent again in a moment."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("delivery_list")
    return redirect(target)

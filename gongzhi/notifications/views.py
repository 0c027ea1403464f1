from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notification_mark_read


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    queryset = Notification.objects.filter(user=request.user).select_related("community")
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=request.user)
    return redirect("inbox")

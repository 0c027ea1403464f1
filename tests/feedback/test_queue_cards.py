"""The staff queue's cards show their deadlines, the passed ones marked; the handler choices
name each person once, with every department they handle for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.feedback import selectors, services
from gongzhi.feedback.forms import AssignForm
from gongzhi.feedback.models import Ticket


@pytest.mark.django_db
def test_queue_cards_show_deadlines_and_mark_the_passed_ones(
    client, community, worker, resident, file_ticket
):
    late = file_ticket(resident)
    on_time = file_ticket(resident, text="小区东门路灯不亮")
    now = timezone.now()
    Ticket.objects.in_community(community).filter(pk=late.pk).update(
        respond_by=now - timedelta(hours=2), resolve_by=now + timedelta(days=3)
    )
    Ticket.objects.in_community(community).filter(pk=on_time.pk).update(
        respond_by=now + timedelta(hours=2), resolve_by=now + timedelta(days=3)
    )
    client.force_login(worker)
    page = client.get(reverse("hotline_queue", args=[community.slug]), {"q": "open"})
    html = page.content.decode()
    assert html.count('data-deadline="respond"') == 2
    assert html.count('data-deadline="resolve"') == 2
    assert html.count('data-deadline="respond" class="tag warn"') == 1
    assert gettext("overdue") in html
    # Residents' own list shows no deadlines.
    client.force_login(resident)
    mine = client.get(reverse("hotline_mine", args=[community.slug])).content.decode()
    assert "data-deadline" not in mine


@pytest.mark.django_db
def test_a_handler_of_two_departments_is_one_choice(community, department, handler):
    second = services.department_create(actor=None, community=community, name="社区居委会")
    services.handler_add(actor=None, department=second, user=handler)
    form = AssignForm(community=community, handlers=selectors.handlers(community=community))
    choices = [value for value, _label in form.fields["assignee"].choices if value]
    assert choices == [str(handler.pk)]
    label = dict(form.fields["assignee"].choices)[str(handler.pk)]
    assert "物业服务中心" in label and "社区居委会" in label

"""Idle-space revival (revival.py): each step, its refusals, and the use against the promise."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.deliberation.services import proposal_create
from gongzhi.spaces import revival, revival_selectors
from gongzhi.spaces.models import BookingStatus, IdleSpace, IdleStatus
from tests.bodies.bodies_world import council
from tests.factories import member
from tests.spaces.world import booking_of, space_of

pytestmark = pytest.mark.django_db


def _record(community, worker, **extra):
    return revival.record(
        actor=worker,
        community=community,
        title=extra.pop("title", "闲置锅炉房"),
        location="3号楼底层",
        area_m2=extra.pop("area_m2", "45.5"),
        owner="幸福物业",
        proposed_use="老年人活动室",
        promised_hours_week=extra.pop("promised_hours_week", 20),
        **extra,
    )


def _managed_space(community, worker, name="共享书房"):
    return space_of(community, worker, name=name, managed_by_body=council(community, worker))


def test_an_idle_space_goes_from_recorded_to_open_and_each_step_is_journalled(community, worker):
    idle = _record(community, worker)
    assert idle.area_m2 == Decimal("45.5")
    proposal = proposal_create(
        actor=member(community), community=community, title="锅炉房改书房", body="大家看看。"
    )
    revival.consult(actor=worker, idle=idle, proposal=proposal)
    space = _managed_space(community, worker)
    opened = revival.open_as(actor=worker, idle=idle, space=space)
    assert opened.status == IdleStatus.OPENED and opened.space == space
    verbs = list(
        Activity.objects.in_community(community)
        .filter(verb__startswith="idle.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["idle.recorded", "idle.consulting", "idle.opened"]
    assert revival_selectors.opened_area(community) == Decimal("45.5")


def test_bad_input_is_refused_and_changes_nothing(community, worker, other_community):
    for area, code in (("0", "idle_area"), ("abc", "idle_area"), ("200000", "idle_area")):
        with pytest.raises(ValidationError) as caught:
            _record(community, worker, area_m2=area)
        assert caught.value.code == code
    with pytest.raises(ValidationError):
        _record(community, worker, title=" ")
    with pytest.raises(ValidationError):
        _record(community, worker, promised_hours_week=200)
    assert not IdleSpace.objects.exists()
    idle = _record(community, worker)
    with pytest.raises(ValidationError) as caught:
        revival.consult(actor=worker, idle=idle)
    assert caught.value.code == "idle_consultation"
    unmanaged = space_of(community, worker)
    with pytest.raises(ValidationError) as caught:
        revival.open_as(actor=worker, idle=idle, space=unmanaged)
    assert caught.value.code == "idle_manager"
    elsewhere = space_of(other_community, member(other_community, role="community_worker"))
    with pytest.raises(ValidationError):
        revival.open_as(actor=worker, idle=idle, space=elsewhere)
    with pytest.raises(ValidationError) as caught:
        revival.drop(actor=worker, idle=idle, reason="  ")
    idle.refresh_from_db()
    assert idle.status == IdleStatus.RECORDED and idle.space is None


def test_steps_keep_their_order(community, worker):
    idle = _record(community, worker)
    revival.drop(actor=worker, idle=idle, reason="业主收回自用")
    with pytest.raises(ValidationError) as caught:
        revival.open_as(actor=worker, idle=idle, space=_managed_space(community, worker))
    assert caught.value.code == "idle_step"
    assert IdleSpace.objects.get().drop_reason == "业主收回自用"


def test_only_a_community_worker_records_or_steps(community, resident, worker):
    with pytest.raises(PermissionDenied):
        _record(community, resident)
    idle = _record(community, worker)
    with pytest.raises(PermissionDenied):
        revival.drop(actor=resident, idle=idle, reason="x")


def test_use_is_counted_week_by_week_against_the_promise(community, worker):
    idle = _record(community, worker, promised_hours_week=4)
    space = _managed_space(community, worker)
    revival.open_as(actor=worker, idle=idle, space=space)
    four_weeks_ago = timezone.now() - timedelta(weeks=4)
    IdleSpace.objects.filter(pk=idle.pk).update(opened_at=four_weeks_ago)
    idle.refresh_from_db()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    last_week = timezone.make_aware(
        timezone.datetime.combine(monday - timedelta(days=5), timezone.datetime.min.time())
    ).replace(hour=9)
    resident = member(community)
    booking_of(space, resident, last_week, hours=3)
    booking_of(space, resident, last_week + timedelta(hours=4), hours=3)
    booking_of(
        space, resident, last_week + timedelta(days=1), hours=2, status=BookingStatus.CANCELLED
    )
    use = revival_selectors.use_against_promise(idle)
    assert use is not None and use.promised == 4
    assert use.weeks[-1].hours == 6.0
    assert sum(week.hours for week in use.weeks) == 6.0
    assert use.average == round(6.0 / len(use.weeks), 1)


def test_pages_for_members_and_forms_for_workers(client, community, worker, resident):
    idle = _record(community, worker)
    slug = community.slug
    client.force_login(resident)
    assert client.get(reverse("spaces_idle_list", args=[slug])).status_code == 200
    page = client.get(reverse("spaces_idle", args=[slug, idle.pk]))
    assert page.status_code == 200 and "闲置锅炉房" in page.content.decode()
    assert client.get(reverse("spaces_idle_new", args=[slug])).status_code == 404
    client.force_login(worker)
    answer = client.post(
        reverse("spaces_idle_new", args=[slug]),
        {"title": "闲置车库", "location": "5号楼北侧", "area_m2": "-3", "owner": "房管所"},
    )
    assert answer.status_code == 200 and IdleSpace.objects.count() == 1
    answer = client.post(reverse("spaces_idle_drop", args=[slug, idle.pk]), {"reason": "业主收回"})
    assert answer.status_code == 302
    idle.refresh_from_db()
    assert idle.status == IdleStatus.DROPPED
    home = client.get(reverse("spaces_home", args=[slug]))
    assert reverse("spaces_idle_list", args=[slug]) in home.content.decode()

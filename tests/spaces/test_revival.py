"""Idle-space revival (revival.py): each step, its refusals, and the use against the promise;
only proposals every member reads may be its consultation, and it opens only once that
consultation is over (review 1.3 and section 3)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.deliberation import services as hall
from gongzhi.deliberation.models import Proposal, Status
from gongzhi.deliberation.services import proposal_create
from gongzhi.opinions.services import conversation_open
from gongzhi.spaces import revival, revival_selectors
from gongzhi.spaces.models import BookingStatus, IdleSpace, IdleStatus
from gongzhi.spaces.revival_forms import ConsultForm
from tests.bodies.bodies_world import council
from tests.budgeting.helpers import make_process, project
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


def _proposal(community, title="锅炉房改书房", **extra):
    return proposal_create(
        actor=member(community), community=community, title=title, body="大家看看。", **extra
    )


def _accepted(community, worker, title="锅炉房改书房"):
    return hall.proposal_transition(
        actor=worker, proposal=_proposal(community, title), to=Status.ACCEPTED
    )


def _conversation(community, worker, *, closes_in):
    now = timezone.now()
    return conversation_open(
        actor=worker,
        community=community,
        question="锅炉房怎么用？",
        opens_at=now - timedelta(days=30),
        closes_at=now + closes_in,
    )


def _consulted(community, worker, **extra):
    idle = _record(community, worker, **extra)
    return revival.consult(actor=worker, idle=idle, proposal=_accepted(community, worker))


def _code(call, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.code


class Api:
    def __init__(self, user):
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the tests read the English messages
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')[1]}"}

    def get(self, path):
        return self.client.get(f"/api/v1{path}", **self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", **self.headers
        )


def test_an_idle_space_goes_from_recorded_to_open_and_each_step_is_journalled(community, worker):
    idle = _record(community, worker)
    assert idle.area_m2 == Decimal("45.5")
    revival.consult(actor=worker, idle=idle, proposal=_accepted(community, worker))
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
    idle = _consulted(community, worker, promised_hours_week=4)
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


def test_only_a_proposal_every_member_reads_may_be_its_consultation(community, worker):
    """Review 1.3: the idle page shows the linked proposal's title to every member."""
    public = _proposal(community, "锅炉房改书房")
    draft = _proposal(community, "草稿：锅炉房改仓库", publish=False)
    hidden = _proposal(community, "隐藏：锅炉房出租")
    hall.item_hide(actor=worker, item=hidden, reason="重复的提议")
    withdrawn = _proposal(community, "撤回：锅炉房拆除")
    hall.proposal_transition(actor=withdrawn.author, proposal=withdrawn, to=Status.WITHDRAWN)
    offered = set(ConsultForm(community=community).fields["proposal"].queryset)
    assert offered == {public}
    idle = _record(community, worker)
    for proposal in (draft, hidden, withdrawn):
        assert _code(revival.consult, actor=worker, idle=idle, proposal=proposal) == (
            "idle_proposal_not_public"
        )
    idle.refresh_from_db()
    assert idle.status == IdleStatus.RECORDED and idle.proposal is None
    assert not Activity.objects.in_community(community).filter(verb="idle.consulting").exists()
    revival.consult(actor=worker, idle=idle, proposal=public)
    assert IdleSpace.objects.get().proposal == public


def test_the_page_and_the_api_refuse_a_draft_proposal_and_save_nothing(client, community, worker):
    idle = _record(community, worker)
    draft = _proposal(community, "草稿：锅炉房改仓库", publish=False)
    client.force_login(worker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the request's language, not the test's
    url = reverse("spaces_idle_consult", args=[community.slug, idle.pk])
    with translation.override("en"):
        page = client.get(url)
        assert "草稿" not in page.content.decode()
        answer = client.post(url, {"proposal": draft.pk})
        assert answer.status_code == 200
        assert "Choose a proposal every member can read in the hall" in answer.content.decode()
        response = Api(worker).post(
            f"/communities/{community.slug}/spaces/idle/{idle.pk}/consult", {"proposal": draft.pk}
        )
    assert response.status_code == 400
    assert response.json()["code"] == "idle_proposal_not_public"
    assert "every member can read" in response.json()["message"]
    idle.refresh_from_db()
    assert idle.status == IdleStatus.RECORDED and idle.proposal is None


def test_a_proposal_hidden_after_it_was_linked_keeps_its_title_off_the_page(
    client, community, worker, resident
):
    idle = _record(community, worker)
    proposal = _proposal(community, "锅炉房改书房")
    revival.consult(actor=worker, idle=idle, proposal=proposal)
    hall.item_hide(actor=worker, item=proposal, reason="含有住户电话")
    client.force_login(resident)
    page = client.get(reverse("spaces_idle", args=[community.slug, idle.pk])).content.decode()
    assert "锅炉房改书房" not in page
    response = Api(resident).get(f"/communities/{community.slug}/spaces/idle/{idle.pk}")
    assert response.json()["opening_refusal"]["code"] == "idle_consultation_under_way"
    assert "锅炉房改书房" not in response.content.decode()


def test_opening_needs_a_finished_consultation(community, worker):
    space = _managed_space(community, worker)
    idle = _record(community, worker)
    opening = {"actor": worker, "idle": idle, "space": space}
    assert _code(revival.open_as, **opening) == "idle_not_consulted"
    with translation.override("en"):
        refusal = revival.opening_refusal(idle)
        assert refusal is not None and "must go to consultation first" in refusal.messages[0]
    # still gathering support, then turned down: no
    proposal = _proposal(community)
    idle = revival.consult(actor=worker, idle=idle, proposal=proposal)
    assert _code(revival.open_as, **opening) == "idle_consultation_under_way"
    hall.proposal_transition(actor=worker, proposal=proposal, to=Status.REJECTED, reason="太吵")
    assert _code(revival.open_as, **opening) == "idle_consultation_turned_down"
    # an opinion-map conversation still open: no; once it has closed: yes
    running = _conversation(community, worker, closes_in=timedelta(days=3))
    idle = revival.consult(actor=worker, idle=idle, conversation=running)
    assert idle.proposal is None and idle.conversation == running  # one replaces the other
    assert _code(revival.open_as, **opening) == "idle_consultation_under_way"
    assert revival.opening_refusal(idle, now=running.closes_at) is None
    idle.refresh_from_db()
    assert idle.status == IdleStatus.CONSULTING and idle.space is None
    assert not Activity.objects.in_community(community).filter(verb="idle.opened").exists()
    closed = _conversation(community, worker, closes_in=-timedelta(days=1))
    revival.consult(actor=worker, idle=idle, conversation=closed)
    assert revival.open_as(**opening).status == IdleStatus.OPENED


def test_renovation_is_optional_and_consultation_may_come_during_it(community, worker):
    """Works may start first; the consultation is linked while renovating (the status stays),
    and then it opens. One with no works opens straight after its consultation."""
    idle = _record(community, worker)
    works = project(make_process(community, worker), 5000, "锅炉房改造")
    idle = revival.renovate(actor=worker, idle=idle, project=works)
    space = _managed_space(community, worker)
    assert _code(revival.open_as, actor=worker, idle=idle, space=space) == "idle_not_consulted"
    idle = revival.consult(actor=worker, idle=idle, proposal=_accepted(community, worker))
    assert idle.status == IdleStatus.RENOVATING
    assert revival.open_as(actor=worker, idle=idle, space=space).status == IdleStatus.OPENED
    other = _consulted(community, worker, title="闲置门卫室")
    lodge = space_of(community, worker, name="共享门卫室", managed_by_body=space.managed_by_body)
    opened = revival.open_as(actor=worker, idle=other, space=lodge)
    assert opened.status == IdleStatus.OPENED and opened.project is None


def test_the_page_says_what_is_missing_before_opening(client, community, worker):
    idle = _record(community, worker)
    space = _managed_space(community, worker)
    slug = community.slug
    detail = reverse("spaces_idle", args=[slug, idle.pk])
    open_url = reverse("spaces_idle_open", args=[slug, idle.pk])
    client.force_login(worker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the request's language, not the test's
    with translation.override("en"):
        page = client.get(detail).content.decode()
        assert "must go to consultation first" in page and open_url not in page
        page = client.get(open_url).content.decode()
        assert "must go to consultation first" in page and 'name="space"' not in page
        assert client.post(open_url, {"space": space.pk}).status_code == 200
        idle.refresh_from_db()
        assert idle.status == IdleStatus.RECORDED and idle.space is None
        revival.consult(actor=worker, idle=idle, proposal=_accepted(community, worker))
        page = client.get(detail).content.decode()
        assert open_url in page and "consultation first" not in page
        assert 'name="space"' in client.get(open_url).content.decode()
    assert client.post(open_url, {"space": space.pk}).status_code == 302
    idle.refresh_from_db()
    assert idle.status == IdleStatus.OPENED and idle.space == space


def test_the_api_says_what_is_missing_before_opening(community, worker, resident):
    idle = _record(community, worker)
    space = _managed_space(community, worker)
    url = f"/communities/{community.slug}/spaces/idle/{idle.pk}"
    with translation.override("en"):
        refusal = Api(resident).get(url).json()["opening_refusal"]
        assert refusal["code"] == "idle_not_consulted"
        assert "consultation first" in refusal["message"]
        response = Api(worker).post(f"{url}/open", {"space": space.pk})
    assert response.status_code == 400 and response.json()["code"] == "idle_not_consulted"
    revival.consult(actor=worker, idle=idle, proposal=_accepted(community, worker))
    assert Api(resident).get(url).json()["opening_refusal"] is None
    assert Api(worker).post(f"{url}/open", {"space": space.pk}).status_code == 200
    assert Proposal.objects.in_community(community).count() == 1

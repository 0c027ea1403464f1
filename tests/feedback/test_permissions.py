"""Who may do what on the hotline: the permission matrix (public, resident, reporter, follower,
handler, another department's handler, community worker, supervisor, street official, admin,
outsider), and the list filter agrees with the detail rule for every viewer and ticket."""

from __future__ import annotations

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from gongzhi.core.models import Role
from gongzhi.feedback import policies, services
from gongzhi.feedback.models import Ticket
from tests.factories import UserFactory, member

VIEWERS = (
    "anonymous",
    "outsider",
    "resident",
    "reporter",
    "follower",
    "handler",
    "other_handler",
    "worker",
    "supervisor",
    "official",
    "admin",
)

# perm -> viewers allowed, on (public ticket, private ticket).
MATRIX = {
    "feedback.view_ticket": (
        set(VIEWERS),
        {"reporter", "handler", "worker", "supervisor", "official", "admin"},
    ),
    "feedback.view_details": (
        {"reporter", "handler", "worker", "supervisor", "official", "admin"},
        {"reporter", "handler", "worker", "supervisor", "official", "admin"},
    ),
    "feedback.view_internal": (
        {"handler", "worker", "supervisor", "official", "admin"},
        {"handler", "worker", "supervisor", "official", "admin"},
    ),
    "feedback.handle": ({"handler", "worker", "admin"}, {"handler", "worker", "admin"}),
    "feedback.manage": ({"worker", "admin"}, {"worker", "admin"}),
    "feedback.follow": (
        {"resident", "reporter", "follower", "handler", "other_handler", "worker", "supervisor"},
        {"reporter", "handler", "worker", "supervisor"},
    ),
}


@pytest.fixture
def people(community, resident, handler, worker, supervisor, official, admin_user, categories):
    other_department = services.department_create(actor=None, community=community, name="绿化队")
    other_handler = member(community)
    services.handler_add(actor=None, department=other_department, user=other_handler)
    return {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "resident": member(community),
        "reporter": resident,
        "follower": member(community),
        "handler": handler,
        "other_handler": other_handler,
        "worker": worker,
        "supervisor": supervisor,
        "official": official,
        "admin": admin_user,
    }


@pytest.fixture
def tickets(community, people, file_ticket):
    public = file_ticket(people["reporter"], is_public=True, unit="2单元501")
    private = file_ticket(people["reporter"], text="2单元楼道灯不亮，电梯也停了")
    services.ticket_follow(actor=people["follower"], ticket=public)
    # A private ticket is followed by the reporter of a ticket merged into it.
    theirs = file_ticket(people["follower"], text="电梯停了，楼道灯也不亮")
    services.ticket_merge(actor=people["worker"], ticket=theirs, into=private)
    assert public.department is not None and private.department == public.department
    return public, private


def _fresh(user):
    for attr in ("_gongzhi_access", "_gongzhi_handler_of"):
        user.__dict__.pop(attr, None)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("perm", sorted(MATRIX))
def test_permission_matrix(people, tickets, perm):
    for index, ticket in enumerate(tickets):
        allowed = MATRIX[perm][index]
        for name, user in people.items():
            got = rules.has_perm(perm, _fresh(user), ticket)
            assert got == (name in allowed), (perm, "public" if index == 0 else "private", name)


@pytest.mark.django_db
def test_filing_and_the_queue(community, people):
    may_file = {"resident", "reporter", "follower", "handler", "other_handler", "worker"}
    may_file |= {"supervisor"}
    may_queue = {"handler", "other_handler", "worker", "supervisor", "official", "admin"}
    for name, user in people.items():
        assert rules.has_perm("feedback.file", _fresh(user), community) == (name in may_file), name
        assert rules.has_perm("feedback.view_queue", _fresh(user), community) == (
            name in may_queue
        ), name


@pytest.mark.django_db
def test_the_list_filter_agrees_with_the_detail_rule(community, people, tickets):
    for name, user in people.items():
        listed = set(
            Ticket.objects.in_community(community)
            .filter(policies.visible_q(_fresh(user), community.pk))
            .values_list("pk", flat=True)
        )
        allowed = {
            t.pk
            for t in Ticket.objects.in_community(community)
            if rules.has_perm("feedback.view_ticket", _fresh(user), t)
        }
        assert listed == allowed, name


@pytest.mark.django_db
def test_rating_and_reopening_by_role(community, people, tickets, handler):
    public, _private = tickets
    services.ticket_accept(actor=handler, ticket=public)
    public = services.ticket_resolve(actor=handler, ticket=public, note="已处理")
    for name, user in people.items():
        assert rules.has_perm("feedback.rate", _fresh(user), public) == (name == "reporter"), name
        assert rules.has_perm("feedback.reopen", _fresh(user), public) == (
            name in {"reporter", "worker", "admin"}
        ), name


@pytest.mark.django_db
def test_a_public_ticket_shows_no_personal_details_to_others(client, community, people, tickets):
    public, private = tickets
    url = reverse("hotline_ticket", args=[community.slug, public.number])
    page = client.get(url).content.decode()
    assert public.text[:10] in page
    assert str(people["reporter"]) not in page
    assert "2单元501" not in page
    assert "hotline_photo" not in page and "/photos/" not in page
    client.force_login(people["worker"])
    page = client.get(url).content.decode()
    assert str(people["reporter"]) in page and "2单元501" in page
    # A private ticket is as missing as a missing one, on the page and in the API.
    client.logout()
    assert (
        client.get(reverse("hotline_ticket", args=[community.slug, private.number])).status_code
        == 404
    )
    api = f"/api/v1/communities/{community.slug}/hotline/tickets/{private.number}"
    response = client.get(api)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    detail = client.get(f"/api/v1/communities/{community.slug}/hotline/tickets/{public.number}")
    assert detail.json()["details"] is None
    assert all(e["public"] for e in detail.json()["timeline"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("resident", "hotline_accept", 403),
        ("other_handler", "hotline_accept", 403),
        ("handler", "hotline_accept", 302),
        ("handler", "hotline_recategorise", 403),
        ("worker", "hotline_recategorise", 302),
        ("outsider", "hotline_accept", 403),
    ],
)
def test_actions_on_the_pages_check_the_role(
    client, community, people, tickets, who, action, status
):
    public, _private = tickets
    client.force_login(people[who])
    response = client.post(
        reverse(action, args=[community.slug, public.number]),
        {"category": public.category_id, "note": ""},
    )
    assert response.status_code == status
    public.refresh_from_db()
    if status != 302:
        assert public.status == "submitted" and public.routing == "auto"


@pytest.mark.django_db
def test_other_communities_staff_see_nothing(community, other_community, tickets, client):
    from gongzhi.core.models import Role as R

    stranger_worker = member(other_community, R.COMMUNITY_WORKER)
    _public, private = tickets
    assert not rules.has_perm("feedback.view_ticket", stranger_worker, private)
    assert not rules.has_perm("feedback.manage", stranger_worker, private)
    assert Role.COMMUNITY_WORKER  # the same role, another community


def test_the_matrix_names_every_viewer():
    for allowed_public, allowed_private in MATRIX.values():
        assert allowed_private <= allowed_public
        assert (allowed_public | allowed_private) <= set(VIEWERS)


@pytest.mark.django_db
def test_official_and_supervisor_see_the_queue_but_cannot_act(community, people, tickets):
    public, _private = tickets
    for name in ("official", "supervisor"):
        user = _fresh(people[name])
        assert not rules.has_perm("feedback.handle", user, public)
        assert not rules.has_perm("feedback.manage", user, public)
        with pytest.raises(Exception) as error:
            services.ticket_accept(actor=user, ticket=public)
        assert error.type.__name__ == "PermissionDenied"


@pytest.mark.django_db
def test_internal_notes_stay_with_the_staff(client, community, people, tickets):
    """The reporter reads the public timeline of their own ticket, not its internal notes."""
    public, _private = tickets
    services.ticket_note(actor=people["worker"], ticket=public, note="内部：先联系物业经理")
    services.ticket_note(actor=people["worker"], ticket=public, note="已联系物业", public=True)
    url = reverse("hotline_ticket", args=[community.slug, public.number])
    api = f"/api/v1/communities/{community.slug}/hotline/tickets/{public.number}"
    for viewer, sees_internal in (("reporter", False), ("handler", True), ("worker", True)):
        client.force_login(people[viewer])
        page = client.get(url).content.decode()
        timeline = client.get(api).json()["timeline"]
        assert "已联系物业" in page
        assert ("内部：先联系物业经理" in page) is sees_internal, viewer
        assert any(not e["public"] for e in timeline) is sees_internal, viewer

"""Volunteering's core pages: the home page (everyone), joining (oneself, 代办 by a worker),
"my volunteering" with editing and withdrawing, the staff's volunteer list (filters, pages,
staff only) and a volunteer's page (404 to others), the teams' pages (names of members only
to staff and leaders), and the API's refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.volunteering.models import Team, TeamMember, Volunteer
from tests.factories import member
from tests.volunteering.world import team_of, volunteer_of

pytestmark = pytest.mark.django_db

JOIN = {
    "emergency_name": "王芳",
    "emergency_phone": "13900009999",
    "skills": ["急救"],
    "other_skills": "书法, 剪纸",
    "availability": "周末",
    "consent": "on",
}


def client_for(user=None, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


def test_the_home_page_is_for_everyone(community, resident, worker):
    page = client_for().get(url("volunteering_home", community))
    assert page.status_code == 200
    assert url("volunteering_teams", community) in page.content.decode()
    member_page = client_for(resident).get(url("volunteering_home", community)).content.decode()
    assert url("volunteering_join", community) in member_page
    assert url("volunteering_settings", community) not in member_page
    staff_page = client_for(worker).get(url("volunteering_home", community)).content.decode()
    assert url("volunteering_settings", community) in staff_page
    assert url("volunteering_volunteers", community) in staff_page


def test_a_resident_joins_and_sees_their_page(community, resident):
    client = client_for(resident)
    assert client.get(url("volunteering_join", community)).status_code == 200
    response = client.post(url("volunteering_join", community), JOIN)
    assert response.status_code == 302
    volunteer = Volunteer.objects.in_community(community).get(person=resident)
    assert volunteer.skills == ["急救", "书法", "剪纸"]
    page = client.get(url("volunteering_me", community)).content.decode()
    assert "+8613900009999" in page and "书法" in page
    home = client.get(url("volunteering_home", community)).content.decode()
    assert url("volunteering_me", community) in home


def test_joining_without_consent_saves_nothing(community, resident):
    data = {**JOIN}
    del data["consent"]
    response = client_for(resident, "en").post(url("volunteering_join", community), data)
    assert response.status_code == 400
    assert "consent" in response.content.decode()
    assert not Volunteer.objects.in_community(community).exists()


def test_a_minor_without_guardian_is_refused_in_english(community, resident):
    data = {**JOIN, "birth_date": "2015-01-01"}
    response = client_for(resident, "en").post(url("volunteering_join", community), data)
    assert response.status_code == 400
    assert "guardian" in response.content.decode()
    assert not Volunteer.objects.in_community(community).exists()


def test_a_worker_registers_a_resident_by_phone(community, worker):
    walkin = member(community)
    data = {**JOIN, "phone": walkin.phone}
    response = client_for(worker).post(url("volunteering_join", community), data)
    assert response.status_code == 302
    volunteer = Volunteer.objects.in_community(community).get(person=walkin)
    assert volunteer.registered_by == worker
    assert response["Location"] == url(
        "volunteering_volunteer", community, volunteer_id=volunteer.pk
    )
    # A resident's join form has no phone field: they register themselves only.
    assert (
        'name="phone"'
        not in client_for(walkin).get(url("volunteering_join", community)).content.decode()
    )


def test_edit_and_withdraw_own_registration(community, resident):
    volunteer = volunteer_of(community, resident)
    client = client_for(resident)
    form = client.get(url("volunteering_me_edit", community))
    assert form.status_code == 200 and "王芳" in form.content.decode()
    data = {**JOIN, "languages": "粤语"}
    del data["consent"]
    assert client.post(url("volunteering_me_edit", community), data).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.languages == "粤语"
    assert client.post(url("volunteering_me_withdraw", community)).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.withdrawn_at is not None
    assert client.get(url("volunteering_me_edit", community)).status_code == 404


def test_the_volunteer_list_is_for_staff(
    community, worker, resident, django_assert_max_num_queries
):
    garden = team_of(community, worker)
    first = volunteer_of(community, skills=["急救", "摄影"])
    second = volunteer_of(community, skills=["园艺"])
    TeamMember.objects.create(community=community, team=garden, volunteer=second)
    assert client_for(resident).get(url("volunteering_volunteers", community)).status_code == 404
    client = client_for(worker)
    with django_assert_max_num_queries(15):
        page = client.get(url("volunteering_volunteers", community))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(first.person) in text and str(second.person) in text
    by_skill = client.get(
        url("volunteering_volunteers", community), {"skill": "急救"}
    ).content.decode()
    assert str(first.person) in by_skill and str(second.person) not in by_skill
    by_team = client.get(
        url("volunteering_volunteers", community), {"team": garden.pk}
    ).content.decode()
    assert str(second.person) in by_team and str(first.person) not in by_team


def test_the_volunteer_list_pages(community, worker):
    for _ in range(52):
        volunteer_of(community)
    client = client_for(worker)
    first = client.get(url("volunteering_volunteers", community)).content.decode()
    assert "page=2" in first
    second = client.get(url("volunteering_volunteers", community), {"page": 2})
    assert second.status_code == 200 and second.content.decode().count('class="card"') == 2


def test_a_volunteers_page_is_for_them_staff_and_their_leaders(community, worker):
    volunteer = volunteer_of(community)
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    TeamMember.objects.create(community=community, team=team, volunteer=volunteer)
    page = url("volunteering_volunteer", community, volunteer_id=volunteer.pk)
    for user in (volunteer.person, worker, leader.person):
        assert client_for(user).get(page).status_code == 200
    assert client_for(member(community)).get(page).status_code == 404
    assert client_for().get(page).status_code == 302  # to the login


def test_team_pages(community, worker):
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    someone = volunteer_of(community)
    TeamMember.objects.create(community=community, team=team, volunteer=someone)
    listing = client_for().get(url("volunteering_teams", community)).content.decode()
    assert team.name in listing
    public = client_for().get(url("volunteering_team", community, team_id=team.pk)).content.decode()
    assert str(leader.person) in public and str(someone.person) not in public
    staff = (
        client_for(worker)
        .get(url("volunteering_team", community, team_id=team.pk))
        .content.decode()
    )
    assert str(someone.person) in staff
    as_leader = client_for(leader.person).get(url("volunteering_team", community, team_id=team.pk))
    assert str(someone.person) in as_leader.content.decode()


def test_a_worker_sets_up_a_team_adds_a_member_and_appoints_a_leader(community, worker):
    client = client_for(worker)
    response = client.post(
        url("volunteering_team_create", community), {"name": "治安巡逻队", "kind": "patrol"}
    )
    assert response.status_code == 302
    team = Team.objects.in_community(community).get(name="治安巡逻队")
    volunteer = volunteer_of(community)
    phone = {"phone": volunteer.person.phone}
    assert (
        client.post(url("volunteering_team_add", community, team_id=team.pk), phone).status_code
        == 302
    )
    assert (
        client.post(url("volunteering_team_leader", community, team_id=team.pk), phone).status_code
        == 302
    )
    assert TeamMember.objects.in_community(community).get(team=team).leader
    # Someone who is not registered: a clear error, nothing saved.
    stranger = member(community)
    refused = client.post(
        url("volunteering_team_add", community, team_id=team.pk), {"phone": stranger.phone}
    )
    assert refused.status_code == 400
    # A worker cannot appoint themself.
    volunteer_of(community, worker)
    own = client.post(
        url("volunteering_team_leader", community, team_id=team.pk), {"phone": worker.phone}
    )
    assert own.status_code == 400
    appointed = Activity.objects.in_community(community).filter(verb="team.leader_appointed")
    assert appointed.count() == 1
    assert (
        client.post(url("volunteering_team_close", community, team_id=team.pk)).status_code == 302
    )
    team.refresh_from_db()
    assert team.closed_at is not None


def test_residents_cannot_reach_team_staff_pages(community, worker, resident):
    team = team_of(community, worker)
    client = client_for(resident)
    assert client.get(url("volunteering_team_create", community)).status_code == 404
    assert client.get(url("volunteering_team_add", community, team_id=team.pk)).status_code == 404
    assert (
        client.post(url("volunteering_team_close", community, team_id=team.pk)).status_code == 404
    )


def test_a_volunteer_joins_and_leaves_a_team(community, worker):
    team = team_of(community, worker)
    volunteer = volunteer_of(community)
    client = client_for(volunteer.person)
    assert client.post(url("volunteering_team_join", community, team_id=team.pk)).status_code == 302
    assert (
        TeamMember.objects.in_community(community).filter(team=team, left_at__isnull=True).count()
        == 1
    )
    leave = url("volunteering_team_leave", community, team_id=team.pk, volunteer_id=volunteer.pk)
    assert client.post(leave).status_code == 302
    assert not TeamMember.objects.in_community(community).filter(left_at__isnull=True).exists()
    # Nobody takes someone else off a team but a worker.
    other = volunteer_of(community)
    TeamMember.objects.create(community=community, team=team, volunteer=other)
    other_leave = url("volunteering_team_leave", community, team_id=team.pk, volunteer_id=other.pk)
    assert client.post(other_leave).status_code == 404


def api(user, method, path, body=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='t')[1]}"
    return client.generic(
        method,
        path,
        data="" if body is None else __import__("json").dumps(body),
        content_type="application/json",
        **headers,
    )


def test_api_refusals(community, resident, worker):
    base = f"/api/v1/communities/{community.slug}/volunteering"
    body = {"consent": False, "emergency_name": "王芳", "emergency_phone": "13900009999"}
    refused = api(resident, "POST", f"{base}/volunteers", body)
    assert refused.status_code == 400 and refused.json()["code"] == "consent_missing"
    assert api(resident, "GET", f"{base}/volunteers/me").status_code == 404
    assert api(resident, "GET", f"{base}/volunteers").status_code == 403
    # Only staff register by phone: a resident learns nothing about the number.
    other = member(community)
    on_behalf = api(
        resident, "POST", f"{base}/volunteers", {**body, "consent": True, "phone": other.phone}
    )
    assert on_behalf.status_code == 403
    made = api(resident, "POST", f"{base}/volunteers", {**body, "consent": True})
    assert made.status_code == 201
    again = api(resident, "POST", f"{base}/volunteers", {**body, "consent": True})
    assert again.json()["code"] == "already_registered"
    patched = api(resident, "PATCH", f"{base}/volunteers/me", {"emergency_phone": "12"})
    assert patched.status_code == 400 and patched.json()["code"] == "phone_invalid"
    volunteer = Volunteer.objects.in_community(community).get(person=resident)
    team = team_of(community, worker)
    leaders = api(resident, "POST", f"{base}/teams/{team.pk}/leaders", {"volunteer": volunteer.pk})
    assert leaders.status_code == 403


def test_the_parts_sections_get_their_context(community, resident, monkeypatch):
    from gongzhi.volunteering import views

    seen = []
    made = {}

    def spy(name, part):
        real_hub, real_mine = part.hub, part.mine

        def hub(c, viewer):
            seen.append(("hub", name, viewer.pk))
            made[f"hub_{name}"] = real_hub(c, viewer)
            return made[f"hub_{name}"]

        def mine(c, user, volunteer):
            seen.append(("mine", name, volunteer.pk if volunteer else None))
            made[f"mine_{name}"] = real_mine(c, user, volunteer)
            return made[f"mine_{name}"]

        monkeypatch.setattr(part, "hub", hub)
        monkeypatch.setattr(part, "mine", mine)

    for name, part in views.PARTS.items():
        spy(name, part)
    volunteer = volunteer_of(community, resident)
    client = client_for(resident)
    home = client.get(url("volunteering_home", community))
    assert home.status_code == 200
    assert all(home.context[f"hub_{name}"] is made[f"hub_{name}"] for name in views.PARTS)
    me = client.get(url("volunteering_me", community))
    assert me.status_code == 200
    assert all(me.context[f"mine_{name}"] is made[f"mine_{name}"] for name in views.PARTS)
    assert ("mine", "shift", volunteer.pk) in seen
    assert len(seen) == 2 * len(views.PARTS)


def test_a_volunteers_page_shows_the_star_and_lets_a_worker_issue_a_certificate(community, worker):
    volunteer = volunteer_of(community)
    page = url("volunteering_volunteer", community, volunteer_id=volunteer.pk)
    issue = url("volunteering_certificate_issue", community, volunteer_id=volunteer.pk)
    staff = client_for(worker, language="en").get(page).content.decode()
    assert issue in staff and "star-level" in staff
    own = client_for(volunteer.person, language="en").get(page).content.decode()
    assert issue not in own and "star-level" in own


def test_a_team_page_links_its_hours_for_those_who_may_see_them(community, worker):
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    page = url("volunteering_team", community, team_id=team.pk)
    hours = url("volunteering_team_hours", community, team_id=team.pk)
    assert hours in client_for(worker).get(page).content.decode()
    assert hours in client_for(leader.person).get(page).content.decode()
    assert hours not in client_for(volunteer_of(community).person).get(page).content.decode()
    assert hours not in client_for().get(page).content.decode()


@pytest.mark.parametrize(
    "name, who",
    [
        ("volunteering_activity_list", "resident"),
        ("volunteering_aid", "resident"),
        ("volunteering_honours", "resident"),
        ("volunteering_records_export", "worker"),
        ("volunteering_signing_keys", "worker"),
    ],
)
def test_the_parts_pages_lead_back_to_the_volunteering_page(community, request, name, who):
    page = client_for(request.getfixturevalue(who)).get(url(name, community))
    assert page.status_code == 200
    assert f'href="{url("volunteering_home", community)}"' in page.content.decode()

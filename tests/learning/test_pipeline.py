"""The workers' pipeline: people who organised or chaired and do not yet lead, by rung then
recency, paged, with their qualifications and open invitations; never anyone who opted out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.models import Building, Grid, Household, Membership
from gongzhi.learning import pathway
from gongzhi.learning.models import Invitation, PipelineOptOut
from gongzhi.meetings.models import MeetingStatus
from tests.bodies.bodies_world import council
from tests.factories import member
from tests.learning.world import award_of
from tests.meetings.world import meeting_of
from tests.volunteering.world import activity_of, team_of, volunteer_of

pytestmark = pytest.mark.django_db


def organiser(community, worker, *, days_ago: int = 1):
    person = member(community)
    activity_of(community, person, created_at=timezone.now() - timedelta(days=days_ago))
    return person


def chair(community, worker, body=None, *, days_ago: int = 1):
    person = member(community)
    body = body or council(community, worker, name=f"议事会{person.pk}")
    meeting_of(
        body,
        worker,
        starts_in=timedelta(days=-days_ago),
        chair=person,
        status=MeetingStatus.CLOSED,
    )
    return person


def ids(page):
    return [c.user.pk for c in page.candidates]


def test_rung_three_and_four_by_rung_then_recency_never_leaders(community, worker):
    old_organiser = organiser(community, worker, days_ago=30)
    new_organiser = organiser(community, worker, days_ago=2)
    chairing = chair(community, worker, days_ago=40)
    leader = organiser(community, worker)
    team_of(community, worker, leader=volunteer_of(community, leader))
    page = pathway.pipeline(community)
    assert ids(page) == [chairing.pk, new_organiser.pk, old_organiser.pk]
    assert [c.rung for c in page.candidates] == [4, 3, 3]
    assert page.total == 3 and page.pages == 1
    assert ids(pathway.pipeline(community, rung=3)) == [new_organiser.pk, old_organiser.pk]
    assert ids(pathway.pipeline(community, min_rung=4)) == [chairing.pk]


def test_qualifications_held_today_and_open_invitations_are_shown(community, worker):
    person = organiser(community, worker)
    award_of(community, person, "chairing")
    award_of(
        community,
        person,
        "first_aid",
        valid_from=timezone.localdate() - timedelta(days=400),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    Invitation.objects.in_community(community).create(
        person=person, step="meetings.chair", invited_by=worker
    )
    (candidate,) = pathway.pipeline(community).candidates
    assert candidate.qualifications == ["chairing"]
    assert [i.step for i in candidate.open_invitations] == ["meetings.chair"]


def test_pages(community, worker):
    people = [organiser(community, worker, days_ago=n + 1) for n in range(5)]
    first = pathway.pipeline(community, per_page=2)
    assert ids(first) == [p.pk for p in people[:2]]
    assert first.pages == 3 and first.has_next and not first.has_previous
    last = pathway.pipeline(community, per_page=2, page=99)
    assert last.number == 3 and ids(last) == [people[4].pk]


def test_the_grid_filter_and_former_members(community, worker):
    grid = Grid.objects.create(community=community, name="一网格")
    building = Building.objects.create(community=community, grid=grid, name="1号楼")
    household = Household.objects.create(community=community, building=building, unit="101")
    inside, outside, gone = (organiser(community, worker) for _ in range(3))
    Membership.objects.in_community(community).filter(user=inside).update(household=household)
    Membership.objects.in_community(community).filter(user=gone).delete()
    assert set(ids(pathway.pipeline(community))) == {inside.pk, outside.pk}
    assert ids(pathway.pipeline(community, grid=grid.pk)) == [inside.pk]


@pytest.mark.parametrize("who", ["organiser", "chair"])
def test_someone_who_opted_out_never_appears(community, worker, who):
    stays = organiser(community, worker)
    person = organiser(community, worker) if who == "organiser" else chair(community, worker)
    PipelineOptOut.objects.in_community(community).create(person=person)
    for kwargs in ({}, {"rung": 3}, {"rung": 4}, {"min_rung": 4}, {"per_page": 1}):
        assert person.pk not in ids(pathway.pipeline(community, **kwargs))
    assert stays.pk in ids(pathway.pipeline(community))
    assert person.pk not in [row[0] for row in pathway.pipeline_people(community)]


def test_the_database_ranks_as_the_sources_read_in_python(community, worker):
    """The page is ranked in one SQL statement (the sources' ``rows``); it must list what the
    Python reading of the sources (``pipeline_people``) lists, in the same order — a founder's
    day included (a day is its start in the current time zone on both sides)."""
    from gongzhi.bodies.leadership import founded, founded_rows, held_office, held_office_rows
    from gongzhi.bodies.models import BodyKind, ChosenBy, Incubation, Mandate, Stage
    from tests.bodies.bodies_world import membership, seat, term

    today = timezone.localdate()
    [organiser(community, worker, days_ago=n) for n in (3, 1, 5)]
    chair(community, worker, days_ago=2)
    office_holder = organiser(community, worker)
    body = council(community, worker, name="议事会甲")
    term(body, seat(body), office_holder, starts=today - timedelta(days=9), ends=today)
    team_leader = chair(community, worker)
    team_of(community, worker, leader=volunteer_of(community, team_leader))
    organisation = council(community, worker, kind=BodyKind.ORGANISATION, name="读书会")
    Incubation.objects.create(community=community, body=organisation, stage=Stage.INCUBATING)
    founders = [member(community), organiser(community, worker, days_ago=4)]
    position = seat(organisation, title="发起人", seats=3, role="")
    for number, founder in enumerate(founders, start=1):
        Mandate.objects.create(
            community=community,
            body=organisation,
            position=position,
            seat=number,
            membership=membership(founder, community),
            chosen_by=ChosenBy.FOUNDING,
            recorded_by=worker,
            starts_on=today - timedelta(days=number + 1),
            ends_on=today + timedelta(days=365),
        )
    PipelineOptOut.objects.in_community(community).create(person=organiser(community, worker))
    for source, rows in ((founded, founded_rows), (held_office, held_office_rows)):
        expected = {(f.user_id, f.first_at, f.last_at, f.times) for f in source(community.pk, None)}
        found = {
            (r["uid"], r["first_at"], r["last_at"], r["times"])
            for queryset in rows(community.pk)
            for r in queryset
        }
        assert found == expected
    for kwargs in ({}, {"rung": 3}, {"rung": 4}, {"min_rung": 4}):
        everyone = pathway.pipeline_people(community, **kwargs)
        assert office_holder.pk not in [row[0] for row in everyone]
        assert team_leader.pk not in [row[0] for row in everyone]
        for number in (1, 2, 3, 4):
            page = pathway.pipeline(community, per_page=2, page=number, **kwargs)
            start = (page.number - 1) * 2
            assert page.total == len(everyone)
            assert [
                (c.user.pk, c.rung, c.last_at, c.evidence) for c in page.candidates
            ] == everyone[start : start + 2]

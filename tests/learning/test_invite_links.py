"""Invitation links and "recruited by" (spread_services.py): one live link a member, joining
through it (core's membership_join, a recruited tie, the journal, the owner told), the refusals
(a stopped or unknown link, one's own, a member already: no tie), and a newcomer naming who
brought them in, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Membership
from gongzhi.learning import spread_selectors
from gongzhi.learning.models import Connection, InviteLink
from gongzhi.learning.spread_services import (
    invite_link_make,
    invite_link_revoke,
    join_by_link,
    recruited_by_record,
)
from gongzhi.notifications.models import Notification
from tests.concurrency import race_posts
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def _verbs(community, verb):
    return list(Activity.objects.in_community(community).filter(verb=verb))


def _ties(community):
    return set(
        Connection.objects.in_community(community).values_list("source_id", "target_id", "kind")
    )


def test_a_member_has_one_live_link(community, resident):
    link, made = invite_link_make(actor=resident, community=community)
    again, made_again = invite_link_make(actor=resident, community=community)
    assert made and not made_again
    assert again.pk == link.pk
    assert len(_verbs(community, "invite_link.created")) == 1


def test_a_stopped_link_is_replaced_by_a_new_one(community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    stopped = invite_link_revoke(actor=resident, community=community)
    assert stopped.pk == link.pk and stopped.revoked_at is not None
    fresh, made = invite_link_make(actor=resident, community=community)
    assert made and fresh.token != link.token
    assert len(_verbs(community, "invite_link.revoked")) == 1


def test_stopping_without_a_link_is_refused(community, resident):
    with pytest.raises(ValidationError) as caught:
        invite_link_revoke(actor=resident, community=community)
    assert caught.value.code == "no_invite_link"


def test_only_members_make_links(community, other_community):
    stranger = member(other_community)
    with pytest.raises(PermissionDenied):
        invite_link_make(actor=stranger, community=community)
    assert not InviteLink.objects.in_community(community).exists()


def test_joining_through_a_link(community, resident, django_capture_on_commit_callbacks):
    link, _ = invite_link_make(actor=resident, community=community)
    newcomer = UserFactory(display_name="小李")
    with django_capture_on_commit_callbacks(execute=True):
        membership = join_by_link(actor=newcomer, community=community, token=link.token)
    assert membership.user_id == newcomer.pk
    assert Membership.objects.in_community(community).filter(user=newcomer).exists()
    assert _ties(community) == {(resident.pk, newcomer.pk, "recruited")}
    (joined,) = _verbs(community, "invite_link.joined")
    assert joined.actor_id == newcomer.pk
    assert joined.target_id == str(membership.pk)
    assert joined.data == {"person": newcomer.pk, "recruiter": resident.pk}
    # core's own act is journalled too: the join went through membership_join
    assert len(_verbs(community, "membership.joined")) == 1
    told = Notification.objects.get(user=resident)
    assert told.kind == "invite_link_joined"
    assert "小李" in told.title
    assert spread_selectors.joined_through(community, resident) == 1


def test_a_stopped_or_unknown_link_is_missing(community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    invite_link_revoke(actor=resident, community=community)
    newcomer = UserFactory()
    for token in (link.token, "no-such-token"):
        with pytest.raises(Http404):
            join_by_link(actor=newcomer, community=community, token=token)
    assert not Membership.objects.in_community(community).filter(user=newcomer).exists()


def test_a_link_of_another_community_is_missing_here(community, other_community):
    elsewhere = member(other_community)
    link, _ = invite_link_make(actor=elsewhere, community=other_community)
    with pytest.raises(Http404):
        join_by_link(actor=UserFactory(), community=community, token=link.token)


def test_ones_own_link_is_refused(community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    with pytest.raises(ValidationError) as caught:
        join_by_link(actor=resident, community=community, token=link.token)
    assert caught.value.code == "own_link"
    assert not _ties(community)


def test_a_member_already_records_no_tie(community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    neighbour = member(community)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        join_by_link(actor=neighbour, community=community, token=link.token)
    assert caught.value.code == "already_member"
    assert "already a member" in caught.value.messages[0]
    assert not _ties(community)
    assert not _verbs(community, "invite_link.joined")


def test_joining_twice_is_refused_the_second_time(community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    newcomer = UserFactory()
    join_by_link(actor=newcomer, community=community, token=link.token)
    with pytest.raises(ValidationError):
        join_by_link(actor=newcomer, community=community, token=link.token)
    assert len(_verbs(community, "invite_link.joined")) == 1


# --- "recruited by" ----------------------------------------------------------------------------


def test_a_newcomer_names_who_brought_them(community, resident):
    newcomer = member(community, verified=False)
    assert spread_selectors.may_name(community, newcomer)
    tie = recruited_by_record(actor=newcomer, community=community, phone=resident.phone)
    assert (tie.source_id, tie.target_id, tie.kind) == (resident.pk, newcomer.pk, "recruited")
    (entry,) = _verbs(community, "recruitment.recorded")
    assert entry.data == {"person": newcomer.pk, "recruiter": resident.pk}
    assert not spread_selectors.may_name(community, newcomer)


def test_naming_is_once(community, resident):
    newcomer = member(community)
    recruited_by_record(actor=newcomer, community=community, phone=resident.phone)
    other = member(community)
    with pytest.raises(ValidationError) as caught:
        recruited_by_record(actor=newcomer, community=community, phone=other.phone)
    assert caught.value.code == "recruiter_known"
    assert _ties(community) == {(resident.pk, newcomer.pk, "recruited")}


def test_who_joined_by_a_link_has_a_recruiter_already(community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    newcomer = UserFactory()
    join_by_link(actor=newcomer, community=community, token=link.token)
    with pytest.raises(ValidationError) as caught:
        recruited_by_record(actor=newcomer, community=community, phone=member(community).phone)
    assert caught.value.code == "recruiter_known"


def test_only_newcomers_name_a_recruiter(community, resident):
    old_timer = member(community)
    Membership.objects.in_community(community).filter(user=old_timer).update(
        joined_at=timezone.now() - timedelta(days=31)
    )
    with pytest.raises(ValidationError) as caught:
        recruited_by_record(actor=old_timer, community=community, phone=resident.phone)
    assert caught.value.code == "not_newcomer"
    assert not _ties(community)


@pytest.mark.parametrize(
    ("phone", "code"), [("13900000000", "not_member"), ("self", "own_recruiter")]
)
def test_naming_a_stranger_or_oneself_is_refused(community, other_community, phone, code):
    newcomer = member(community)
    if phone == "self":
        phone = newcomer.phone
    else:
        phone = member(other_community).phone  # a member elsewhere is no member here
    with pytest.raises(ValidationError) as caught:
        recruited_by_record(actor=newcomer, community=community, phone=phone)
    assert caught.value.code == code
    assert not _ties(community)
    assert not _verbs(community, "recruitment.recorded")


def test_only_members_name_a_recruiter(community, resident, other_community):
    with pytest.raises(PermissionDenied):
        recruited_by_record(
            actor=member(other_community), community=community, phone=resident.phone
        )


# --- at the same moment (real concurrent requests) --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_links_keep_one_live(live_server, community, resident):
    _t, token = api_token_create(user=resident, name="t")
    url = f"{live_server.url}/api/v1/communities/{community.slug}/learning/me/invite-link"

    statuses = race_posts(url, token, [{} for _i in range(6)])

    assert statuses == [200] * 5 + [201]
    assert InviteLink.objects.in_community(community).filter(owner=resident).count() == 1
    assert len(_verbs(community, "invite_link.created")) == 1


@pytest.mark.django_db(transaction=True)
def test_joining_twice_at_once_records_one_join(live_server, community, resident):
    link, _ = invite_link_make(actor=resident, community=community)
    newcomer = UserFactory()
    _t, token = api_token_create(user=newcomer, name="t")
    url = f"{live_server.url}/api/v1/communities/{community.slug}/learning/join/{link.token}"

    statuses = race_posts(url, token, [{} for _i in range(5)])

    assert statuses == [201] + [400] * 4
    assert Membership.objects.in_community(community).filter(user=newcomer).count() == 1
    assert _ties(community) == {(resident.pk, newcomer.pk, "recruited")}
    assert len(_verbs(community, "invite_link.joined")) == 1
    assert len(_verbs(community, "membership.joined")) == 1

"""Mutual aid: posts by verified residents, answers, agreement, both sides confirming (and the
time moving in the time bank), cancelling, problem reports a worker resolves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Activity, Role
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import aid, timebank
from gongzhi.volunteering.models import (
    AidPost,
    AidStatus,
    Exchange,
    ExchangeStatus,
    HoursEntry,
    Transfer,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


def _request(community, author, minutes=60):
    return aid.post_create(
        actor=author, community=community, kind="request", title="陪老人去医院", minutes=minutes
    )


def _agreed(community, author, helper, minutes=60):
    post = _request(community, author, minutes)
    exchange = aid.exchange_propose(actor=helper, post=post)
    return aid.exchange_agree(actor=author, exchange=exchange)


def test_a_verified_resident_posts_and_withdraws(community, resident):
    post = _request(community, resident)
    assert post.status == AidStatus.OPEN and post.minutes == 60
    aid.post_withdraw(actor=resident, post=post)
    post.refresh_from_db()
    assert post.status == AidStatus.WITHDRAWN
    verbs = set(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert {"aid.posted", "aid.withdrawn"} <= verbs


def test_an_unverified_member_is_told_to_get_verified(community, unverified):
    with pytest.raises(ValidationError) as refused:
        _request(community, unverified)
    assert refused.value.code == "not_verified"
    assert not AidPost.objects.in_community(community).exists()


def test_an_outsider_may_not_post(community, outsider):
    with pytest.raises(PermissionDenied):
        _request(community, outsider)


@pytest.mark.parametrize(
    ("title", "minutes", "code"),
    [
        ("", 60, "title_empty"),
        ("修自行车", 0, "minutes_range"),
        ("修自行车", 5000, "minutes_range"),
    ],
)
def test_bad_posts_are_refused(community, resident, title, minutes, code):
    with pytest.raises(ValidationError) as refused:
        aid.post_create(
            actor=resident, community=community, kind="offer", title=title, minutes=minutes
        )
    assert refused.value.code == code
    assert not AidPost.objects.in_community(community).exists()


def test_the_whole_exchange_moves_the_time(community, worker, resident):
    helper = member(community)
    exchange = _agreed(community, resident, helper, minutes=90)
    assert exchange.helped_id == resident.pk and exchange.helper_id == helper.pk
    assert exchange.status == ExchangeStatus.AGREED
    assert exchange.post.status == AidStatus.MATCHED
    aid.exchange_confirm(actor=helper, exchange=exchange)
    assert not Transfer.objects.in_community(community).exists()
    with pytest.raises(ValidationError) as twice:
        aid.exchange_confirm(actor=helper, exchange=exchange)
    assert twice.value.code == "already_confirmed"
    done = aid.exchange_confirm(actor=resident, exchange=exchange)
    assert done.status == ExchangeStatus.DONE and done.done_at is not None
    assert timebank.balance(timebank.account_of(community, resident)) == -90
    assert timebank.balance(timebank.account_of(community, helper)) == 90
    (made,) = Transfer.objects.in_community(community)
    assert made.kind == "exchange" and made.exchange_id == exchange.pk
    assert AidPost.objects.in_community(community).get().status == AidStatus.CLOSED
    assert not HoursEntry.objects.in_community(community).exists()


def test_on_an_offer_the_one_who_asks_is_helped(community, resident):
    asker = member(community)
    post = aid.post_create(actor=resident, community=community, kind="offer", title="修自行车")
    exchange = aid.exchange_propose(actor=asker, post=post, minutes=30)
    assert (exchange.helped_id, exchange.helper_id, exchange.minutes) == (asker.pk, resident.pk, 30)


def test_the_authors_hear_of_answers_and_agreements(community, resident):
    helper = member(community)
    post = _request(community, resident)
    exchange = aid.exchange_propose(actor=helper, post=post)
    assert Notification.objects.filter(user=resident, kind="exchange_proposed").exists()
    aid.exchange_agree(actor=resident, exchange=exchange)
    assert Notification.objects.filter(user=helper, kind="exchange_agreed").exists()


def test_nobody_exchanges_with_themself(community, resident):
    post = _request(community, resident)
    with pytest.raises(ValidationError) as refused:
        aid.exchange_propose(actor=resident, post=post)
    assert refused.value.code == "own_exchange"


def test_answering_twice_or_a_closed_post_is_refused(community, resident):
    helper = member(community)
    post = _request(community, resident)
    aid.exchange_propose(actor=helper, post=post)
    with pytest.raises(ValidationError) as twice:
        aid.exchange_propose(actor=helper, post=post)
    assert twice.value.code == "already_proposed"
    aid.post_withdraw(actor=resident, post=post)
    with pytest.raises(ValidationError) as closed:
        aid.exchange_propose(actor=member(community), post=post)
    assert closed.value.code == "post_closed"
    assert set(Exchange.objects.in_community(community).values_list("status", flat=True)) == {
        ExchangeStatus.CANCELLED
    }


def test_only_the_author_agrees_and_only_the_sides_confirm(community, resident):
    helper, stranger = member(community), member(community)
    post = _request(community, resident)
    exchange = aid.exchange_propose(actor=helper, post=post)
    with pytest.raises(PermissionDenied):
        aid.exchange_agree(actor=helper, exchange=exchange)
    with pytest.raises(ValidationError) as early:
        aid.exchange_confirm(actor=helper, exchange=exchange)
    assert early.value.code == "exchange_state"
    aid.exchange_agree(actor=resident, exchange=exchange)
    with pytest.raises(PermissionDenied):
        aid.exchange_confirm(actor=stranger, exchange=exchange)


def test_confirming_beyond_the_limit_is_refused_whole(community, resident):
    """The helped has nothing and the floor is -600: a 700-minute exchange cannot be paid."""
    helper = member(community)
    exchange = _agreed(community, resident, helper, minutes=700)
    aid.exchange_confirm(actor=helper, exchange=exchange)
    with pytest.raises(ValidationError) as refused:
        aid.exchange_confirm(actor=resident, exchange=exchange)
    assert refused.value.code == "over_limit"
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.AGREED and exchange.helped_confirmed_at is None
    assert not Transfer.objects.in_community(community).exists()


def test_either_side_cancels_before_done_and_the_post_reopens(community, resident):
    helper = member(community)
    exchange = _agreed(community, resident, helper)
    aid.exchange_cancel(actor=helper, exchange=exchange, reason="生病了")
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CANCELLED
    assert exchange.post.status == AidStatus.OPEN
    with pytest.raises(ValidationError):
        aid.exchange_cancel(actor=resident, exchange=exchange)


def test_a_reported_problem_goes_to_workers_who_resolve_it(community, worker, resident):
    helper = member(community)
    exchange = _agreed(community, resident, helper)
    with pytest.raises(ValidationError) as empty:
        aid.exchange_report(actor=resident, exchange=exchange, text=" ")
    assert empty.value.code == "report_empty"
    report = aid.exchange_report(actor=resident, exchange=exchange, text="没有来")
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.DISPUTED
    assert Notification.objects.filter(user=worker, kind="exchange_reported").exists()
    with pytest.raises(ValidationError):
        aid.exchange_confirm(actor=helper, exchange=exchange)
    with pytest.raises(PermissionDenied):
        aid.report_resolve(actor=resident, report=report, resolution="ok")
    aid.report_resolve(actor=worker, report=report, resolution="谈过了，改期")
    exchange.refresh_from_db()
    report.refresh_from_db()
    assert exchange.status == ExchangeStatus.AGREED and report.resolved_by_id == worker.pk
    with pytest.raises(ValidationError) as again:
        aid.report_resolve(actor=worker, report=report, resolution="again")
    assert again.value.code == "already_resolved"


def test_a_worker_does_not_resolve_a_report_on_their_own_exchange(community, worker):
    author = member(community)
    worker_again = member(community, Role.COMMUNITY_WORKER)
    exchange = _agreed(community, author, worker)
    report = aid.exchange_report(actor=author, exchange=exchange, text="迟到")
    with pytest.raises(ValidationError) as own:
        aid.report_resolve(actor=worker, report=report, resolution="fine")
    assert own.value.code == "own_report"
    aid.report_resolve(actor=worker_again, report=report, resolution="fine")

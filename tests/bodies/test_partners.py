"""Partners (共建单位, R2.3): the services' rules, bad input refused with nothing saved, money
through the ledger's second approval, ratings once per person, and the street's view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.bodies import partners
from gongzhi.bodies.models import Agreement, Contribution, Partner, PartnerService, ServiceRating
from gongzhi.core.models import Activity, Oversight, PlatformActivity, Role
from gongzhi.disclosure import services as disclosure
from gongzhi.disclosure.models import LedgerEntry, LedgerLine
from tests.disclosure.helpers import pdf, png, second_worker
from tests.factories import CommunityFactory, StreetFactory, UserFactory, member, official_of

TODAY = timezone.localdate()


@pytest.fixture
def partner(community, official):
    return partners.partner_create(
        actor=official, street=community.street, kind="business", name="惠民超市"
    )


@pytest.fixture
def agreement(community, worker, partner):
    return partners.agreement_sign(
        actor=worker,
        community=community,
        partner=partner,
        scope="每月为老人送菜",
        starts_on=TODAY - timedelta(days=60),
        ends_on=TODAY + timedelta(days=300),
    )


@pytest.fixture
def service(worker, agreement):
    return partners.service_add(actor=worker, agreement=agreement, title="送菜上门")


def _admin():
    return UserFactory(is_superuser=True, is_staff=True)


def _refused(code, call, **kw):
    with pytest.raises(ValidationError) as caught:
        call(**kw)
    assert caught.value.code == code
    return caught.value


# --- Partners --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_official_of_the_street_registers_a_partner_in_the_platform_journal(partner, official):
    entry = PlatformActivity.objects.get(verb="partner.created")
    assert entry.actor == official and entry.data["partner"] == partner.pk


@pytest.mark.django_db
def test_a_district_official_registers_too_but_not_a_worker_or_another_streets_official(
    community, worker
):
    district_official = member(CommunityFactory())
    Oversight.objects.create(user=district_official, district=community.street.district)
    partners.partner_create(
        actor=district_official, street=community.street, kind="government", name="派出所"
    )
    other = official_of(StreetFactory())
    for actor in (worker, other):
        with pytest.raises(PermissionDenied):
            partners.partner_create(
                actor=actor, street=community.street, kind="business", name="另一家"
            )
    assert Partner.objects.filter(street=community.street).count() == 1


@pytest.mark.django_db
def test_a_partner_name_twice_in_one_street_is_refused(partner, official, community):
    error = _refused(
        "partner_name_taken",
        partners.partner_create,
        actor=official,
        street=community.street,
        kind="business",
        name="惠民超市",
    )
    assert error.messages == [gettext("The street already has a partner of this name.")]
    assert PlatformActivity.objects.filter(verb="partner.created").count() == 1


# --- Agreements ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agreement_is_journalled_in_the_community(agreement, community, worker, partner):
    entry = Activity.objects.in_community(community).get(verb="partner.agreement_signed")
    assert entry.data == {"partner": partner.pk, "agreement": agreement.pk}
    assert entry.actor == worker


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, -1])
def test_a_period_that_does_not_end_after_it_starts_is_refused(community, worker, partner, days):
    error = _refused(
        "period_order",
        partners.agreement_sign,
        actor=worker,
        community=community,
        partner=partner,
        scope="x",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=days),
        document=pdf("协议.pdf"),
    )
    assert error.messages == [gettext("The agreement must end after the day it starts.")]
    assert not Agreement.objects.in_community(community).exists()
    assert not Activity.objects.in_community(community).filter(verb__startswith="partner.").exists()


@pytest.mark.django_db
def test_the_document_is_checked_by_its_content(community, worker, partner):
    _refused(
        "upload_type",
        partners.agreement_sign,
        actor=worker,
        community=community,
        partner=partner,
        scope="x",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
        document=png("协议.pdf"),
    )
    assert not Agreement.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_partner_of_another_street_is_refused(community, worker):
    stranger = partners.partner_create(
        actor=_admin(),
        street=StreetFactory(),
        kind="business",
        name="外街公司",
    )
    _refused(
        "other_street",
        partners.agreement_sign,
        actor=worker,
        community=community,
        partner=stranger,
        scope="x",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
    )


@pytest.mark.django_db
def test_an_official_overseeing_the_community_signs_a_resident_may_not(
    community, official, partner, resident
):
    kw = dict(community=community, partner=partner, scope="x", starts_on=TODAY)
    partners.agreement_sign(actor=official, ends_on=TODAY + timedelta(days=9), **kw)
    with pytest.raises(PermissionDenied):
        partners.agreement_sign(actor=resident, ends_on=TODAY + timedelta(days=9), **kw)
    assert Agreement.objects.in_community(community).count() == 1


# --- Ratings ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rating_is_once_per_person_and_changeable(service, resident, community):
    partners.service_rate(actor=resident, service=service, stars=2)
    rating = partners.service_rate(actor=resident, service=service, stars=4, comment="很及时")
    assert ServiceRating.objects.in_community(community).get() == rating
    assert (rating.stars, rating.comment) == (4, "很及时")
    rated = Activity.objects.in_community(community).filter(verb="partner.service_rated")
    assert [a.data["stars"] for a in rated.order_by("pk")] == [2, 4]


@pytest.mark.django_db
@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_a_rating_out_of_range_is_refused(service, resident, community, stars):
    error = _refused(
        "stars_out_of_range", partners.service_rate, actor=resident, service=service, stars=stars
    )
    assert error.messages == [gettext("Give the service from 1 to 5 stars.")]
    assert not ServiceRating.objects.in_community(community).exists()


@pytest.mark.django_db
def test_only_verified_residents_rate(service, unverified, worker):
    for actor in (unverified, member(CommunityFactory())):
        with pytest.raises(PermissionDenied):
            partners.service_rate(actor=actor, service=service, stars=5)


@pytest.mark.django_db
def test_the_average_shows_only_from_the_minimum_number_of_ratings(service, community, settings):
    settings.EVALUATION_MIN_CELL = 3
    for stars in (5, 4):
        partners.service_rate(actor=member(community), service=service, stars=stars)
    [row] = partners.community_agreements(community=community, in_force_only=True)
    assert row.services[0][1] == partners.RatingSummary(count=2, average=None)
    partners.service_rate(actor=member(community), service=service, stars=5)
    [row] = partners.community_agreements(community=community, in_force_only=True)
    assert row.services[0][1] == partners.RatingSummary(count=3, average=4.7)


# --- Contributions ---------------------------------------------------------------------------


def _money(community, worker, agreement, **kw):
    return partners.contribution_record(
        actor=worker,
        community=community,
        agreement=agreement,
        kind="money",
        description="捐赠敬老活动经费",
        given_on=kw.pop("given_on", TODAY - timedelta(days=1)),
        value=kw.pop("value", "800.00"),
        **kw,
    )


@pytest.mark.django_db
def test_money_goes_into_the_ledger_as_an_income_awaiting_approval(community, worker, agreement):
    contribution = _money(community, worker, agreement, voucher=pdf())
    entry = contribution.ledger_entry
    assert (entry.kind, entry.status, entry.total_fen) == ("income", "pending", 80000)
    assert entry.counterparty == "惠民超市"
    lines = LedgerLine.objects.in_community(community).filter(entry=entry)
    assert [(ln.category, ln.amount_fen) for ln in lines] == [("donation", 80000)]
    assert contribution.value_fen == 80000
    journalled = Activity.objects.in_community(community).get(verb="partner.contribution_recorded")
    assert journalled.data["value_fen"] == 80000 and journalled.data["kind"] == "money"


@pytest.mark.django_db
def test_nobody_approves_their_own_contribution_another_worker_does(community, worker, agreement):
    entry = _money(community, worker, agreement, voucher=pdf()).ledger_entry
    _refused("same_person", disclosure.ledger_entry_approve, actor=worker, entry=entry)
    approved = disclosure.ledger_entry_approve(actor=second_worker(community), entry=entry)
    assert approved.status == "approved"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"value": None}, "amount_required"),
        ({"value": "0"}, "amount_not_positive"),
        ({"value": "abc"}, "amount"),
        ({"given_on": TODAY + timedelta(days=1)}, "future_date"),
        ({"given_on": TODAY - timedelta(days=61)}, "outside_agreement"),
    ],
)
def test_bad_contributions_are_refused_and_nothing_is_saved(community, worker, agreement, kw, code):
    _refused(code, _money, community=community, worker=worker, agreement=agreement, **kw)
    assert not Contribution.objects.in_community(community).exists()
    assert not LedgerEntry.objects.in_community(community).exists()


@pytest.mark.django_db
def test_another_communitys_agreement_is_refused(community, worker, agreement):
    other = CommunityFactory(street=community.street)
    other_worker = member(other, Role.COMMUNITY_WORKER)
    error = _refused(
        "other_community", _money, community=other, worker=other_worker, agreement=agreement
    )
    assert error.messages == [gettext("This agreement belongs to another community.")]
    assert not LedgerEntry.objects.in_community(other).exists()


@pytest.mark.django_db
def test_an_official_does_not_write_the_ledger(community, official, agreement):
    with pytest.raises(PermissionDenied):
        _money(community, official, agreement)


# --- The street's view -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_street_sums_approved_money_only_and_lists_in_kind(
    community, worker, partner, agreement, service
):
    approved = _money(community, worker, agreement, voucher=pdf(), value="500.00")
    disclosure.ledger_entry_approve(actor=second_worker(community), entry=approved.ledger_entry)
    _money(community, worker, agreement, voucher=pdf(), value="300.00")  # still pending
    partners.contribution_record(
        actor=worker,
        community=community,
        agreement=agreement,
        kind="in_kind",
        description="米面油二十份",
        given_on=TODAY,
    )
    neighbour = CommunityFactory(street=community.street)
    old = partners.agreement_sign(
        actor=_admin(),
        community=neighbour,
        partner=partner,
        scope="旧协议",
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=35),
    )
    [row] = partners.street_partners(street=community.street)
    assert row.money_fen == 50000 and row.money_pending == 1
    assert [c.description for c in row.in_kind] == ["米面油二十份"]
    statuses = {a.agreement.pk: a.status for a in row.agreements}
    assert statuses == {agreement.pk: "active", old.pk: "expired"}
    assert [s.title for a in row.agreements for s, _r in a.services] == ["送菜上门"]


@pytest.mark.django_db
def test_an_expired_agreement_is_not_listed_to_residents(community, partner):
    partners.agreement_sign(
        actor=_admin(),
        community=community,
        partner=partner,
        scope="旧协议",
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=35),
    )
    assert partners.community_agreements(community=community, in_force_only=True) == []
    assert PartnerService.objects.in_community(community).count() == 0

"""Things lent out (lending.py): the catalogue, lending and returns with their rules, overdue
reminders once a day (and the command), the pages, and "my bookings"."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core.models import Activity, Role
from gongzhi.notifications.models import Notification
from gongzhi.spaces import lending
from gongzhi.spaces.models import Loan, Resource, ResourceKind
from tests.conftest import TOTP_SECRET
from tests.factories import member
from tests.spaces.world import space_of

pytestmark = pytest.mark.django_db


def _resource(community, worker, **fields):
    return lending.resource_create(
        actor=worker,
        community=community,
        name=fields.pop("name", "轮椅"),
        kind=fields.pop("kind", ResourceKind.MOBILITY),
        quantity=fields.pop("quantity", 2),
        loan_days=fields.pop("loan_days", 14),
        **fields,
    )


def _refused(code, call, **kwargs):
    loans = Loan.objects.count()
    resources = Resource.objects.count()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert caught.value.code == code
    assert (Loan.objects.count(), Resource.objects.count()) == (loans, resources)


# --- The catalogue ---------------------------------------------------------------------------


def test_workers_add_items_and_residents_cannot(community, worker, resident):
    space = space_of(community)
    item = _resource(community, worker, kept_at=space, note="折叠式")
    assert (item.quantity, item.loan_days, item.kept_at) == (2, 14, space)
    assert Activity.objects.in_community(community).filter(verb="resource.created").count() == 1
    with pytest.raises(PermissionDenied):
        _resource(community, resident, name="投影仪")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": " "}, "resource_no_name"),
        ({"kind": "car"}, "resource_kind"),
        ({"quantity": 0}, "resource_quantity"),
        ({"loan_days": 0}, "resource_loan_days"),
        ({"name": "轮椅"}, "resource_name_taken"),
    ],
)
def test_bad_items_are_refused_and_nothing_saved(community, worker, fields, code):
    _resource(community, worker)
    _refused(
        code,
        lending.resource_create,
        actor=worker,
        community=community,
        **{"name": "折叠桌", "kind": "furniture", "quantity": 3, "loan_days": 3, **fields},
    )


def test_a_space_of_another_community_is_refused(community, other_community, worker):
    _refused(
        "resource_other_community",
        lending.resource_create,
        actor=worker,
        community=community,
        name="桌子",
        kind="furniture",
        quantity=1,
        loan_days=3,
        kept_at=space_of(other_community),
    )


# --- Lending ---------------------------------------------------------------------------------


def test_lending_counts_what_is_left(community, worker, resident):
    item = _resource(community, worker, quantity=3)
    loan = lending.loan_lend(actor=worker, resource=item, borrower=resident, count=2)
    assert loan.due_on == timezone.localdate() + timedelta(days=14)
    assert lending.outstanding(item) == 2
    _refused(
        "loan_none_left",
        lending.loan_lend,
        actor=worker,
        resource=item,
        borrower=member(community),
        count=2,
    )
    lending.loan_lend(actor=worker, resource=item, borrower=member(community))
    assert lending.outstanding(item) == 3
    lending.loan_return(actor=member(community, Role.COMMUNITY_WORKER), loan=loan)
    assert lending.outstanding(item) == 1
    verbs = Activity.objects.in_community(community).values_list("verb", flat=True)
    assert list(verbs).count("loan.lent") == 2 and "loan.returned" in verbs


def test_nobody_lends_to_themselves(community, worker):
    item = _resource(community, worker)
    _refused("loan_to_oneself", lending.loan_lend, actor=worker, resource=item, borrower=worker)


def test_the_database_refuses_a_loan_to_oneself(community, worker):
    item = _resource(community, worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.in_community(community).create(
            resource=item,
            borrower=worker,
            lent_by=worker,
            lent_at=timezone.now(),
            due_on=timezone.localdate(),
        )


def test_only_members_borrow_and_only_keepers_lend(community, other_community, worker, resident):
    item = _resource(community, worker)
    _refused(
        "loan_not_member",
        lending.loan_lend,
        actor=worker,
        resource=item,
        borrower=member(other_community),
    )
    with pytest.raises(PermissionDenied):
        lending.loan_lend(actor=resident, resource=item, borrower=member(community))


def test_the_managers_of_the_space_it_is_kept_at_lend_it(community, worker, resident):
    from tests.meetings.world import seated_council

    body, people = seated_council(community, worker, members=2)
    space = space_of(community, managed_by_body=body)
    item = _resource(community, worker, kept_at=space)
    assert lending.may_lend(people[0], item)
    assert not lending.may_lend(resident, item)
    loan = lending.loan_lend(actor=people[0], resource=item, borrower=resident)
    lending.loan_return(actor=people[1], loan=loan)
    with pytest.raises(ValidationError) as caught:
        lending.loan_return(actor=people[1], loan=loan)
    assert caught.value.code == "loan_returned"


def test_the_borrower_never_takes_back_their_own_loan(community, worker):
    item = _resource(community, worker)
    colleague = member(community, Role.COMMUNITY_WORKER)
    loan = lending.loan_lend(actor=colleague, resource=item, borrower=worker)
    with pytest.raises(ValidationError) as caught:
        lending.loan_return(actor=worker, loan=loan)
    assert caught.value.code == "loan_return_own"
    loan.refresh_from_db()
    assert loan.returned_at is None


@pytest.mark.parametrize(("days", "code"), [(-1, "loan_due_past"), (400, "loan_too_long")])
def test_a_due_day_in_the_past_or_too_far_is_refused(community, worker, resident, days, code):
    item = _resource(community, worker)
    due = timezone.localdate() + timedelta(days=days)
    _refused(code, lending.loan_lend, actor=worker, resource=item, borrower=resident, due_on=due)


def test_the_quantity_cannot_drop_below_what_is_lent(community, worker, resident):
    item = _resource(community, worker, quantity=2)
    lending.loan_lend(actor=worker, resource=item, borrower=resident, count=2)
    with pytest.raises(ValidationError) as caught:
        lending.resource_update(
            actor=worker, resource=item, name=item.name, kind=item.kind, quantity=1, loan_days=7
        )
    assert caught.value.code == "resource_quantity_lent"
    item.refresh_from_db()
    assert item.quantity == 2


# --- Reminders -------------------------------------------------------------------------------


def _overdue(community, worker, borrower, days=3):
    item = _resource(community, worker, name=f"工具箱{borrower.pk}")
    loan = lending.loan_lend(actor=worker, resource=item, borrower=borrower)
    Loan.objects.in_community(community).filter(pk=loan.pk).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )
    return loan


def test_overdue_borrowers_are_reminded_once_a_day(community, worker, resident):
    loan = _overdue(community, worker, resident)
    returned = _overdue(community, worker, member(community))
    lending.loan_return(actor=worker, loan=returned)
    _resource(community, worker, name="不逾期")
    today = timezone.localdate()

    assert lending.remind_overdue(today) == 1
    assert lending.remind_overdue(today) == 0
    assert lending.remind_overdue(today + timedelta(days=1)) == 1
    loan.refresh_from_db()
    assert loan.reminded_on == today + timedelta(days=1)
    assert Notification.objects.filter(user=resident, kind="space_loan").count() == 2


def test_the_remind_command_prints_its_count(community, worker, resident):
    _overdue(community, worker, resident)
    out = StringIO()
    call_command("spaces_remind", stdout=out)
    call_command("spaces_remind", stdout=out)
    assert out.getvalue().split() == ["reminded=1", "reminded=0"]


# --- Pages -----------------------------------------------------------------------------------


def test_a_worker_adds_an_item_and_lends_it_by_phone(client, community, worker, resident):
    client.force_login(worker)
    response = client.post(
        f"/c/{community.slug}/spaces/resources/new/",
        {"name": "投影仪", "kind": "equipment", "quantity": 1, "loan_days": 3, "active": "on"},
    )
    assert response.status_code == 302
    item = Resource.objects.in_community(community).get(name="投影仪")
    detail = f"/c/{community.slug}/spaces/resources/{item.pk}/"
    assert client.get(detail).status_code == 200
    lend = f"{detail}lend/"
    assert client.post(lend, {"phone": resident.phone, "count": 1}).status_code == 302
    loan = Loan.objects.in_community(community).get()
    assert loan.borrower == resident and loan.lent_by == worker
    refused = client.post(lend, {"phone": member(community).phone, "count": 1})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()
    unknown = client.post(lend, {"phone": "13900000000", "count": 1})
    assert unknown.status_code == 400
    assert Loan.objects.in_community(community).count() == 1

    colleague = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(colleague, TOTP_SECRET)  # staff pages want two-factor login
    client.force_login(colleague)
    back = client.post(f"/c/{community.slug}/spaces/loans/{loan.pk}/return/")
    assert back.status_code == 302
    loan.refresh_from_db()
    assert loan.returned_to == colleague


def test_residents_see_the_list_but_not_the_lending_tools(client, community, worker, resident):
    item = _resource(community, worker)
    client.force_login(resident)
    page = client.get(f"/c/{community.slug}/spaces/resources/")
    assert page.status_code == 200 and f'data-resource="{item.pk}"' in page.content.decode()
    detail = client.get(f"/c/{community.slug}/spaces/resources/{item.pk}/").content.decode()
    assert "/lend/" not in detail
    assert client.get(f"/c/{community.slug}/spaces/resources/new/").status_code == 404
    lend = client.post(
        f"/c/{community.slug}/spaces/resources/{item.pk}/lend/",
        {"phone": member(community).phone, "count": 1},
    )
    assert lend.status_code == 404
    assert not Loan.objects.exists()


def test_my_loans_are_in_my_bookings(client, community, worker, resident):
    loan = _overdue(community, worker, resident)
    client.force_login(resident)
    page = client.get(f"/c/{community.slug}/spaces/mine/").content.decode()
    assert f'data-loan="{loan.pk}"' in page
    assert 'data-overdue="yes"' in page


def test_the_home_page_lists_things_to_borrow(client, community, worker, resident):
    item = _resource(community, worker)
    client.force_login(resident)
    page = client.get(f"/c/{community.slug}/spaces/").content.decode()
    assert f'data-resource="{item.pk}"' in page


def test_a_worker_changes_an_item_and_retires_it(client, community, worker, resident):
    item = _resource(community, worker)
    client.force_login(worker)
    edit = f"/c/{community.slug}/spaces/resources/{item.pk}/edit/"
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"name": "轮椅", "kind": "mobility", "quantity": 5, "loan_days": 10}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.quantity, item.loan_days, item.active) == (5, 10, False)
    client.force_login(resident)
    assert client.get(f"/c/{community.slug}/spaces/resources/{item.pk}/").status_code == 404
    listed = client.get(f"/c/{community.slug}/spaces/resources/").content.decode()
    assert f'data-resource="{item.pk}"' not in listed

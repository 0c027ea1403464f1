"""Thank-you notes: a verified member thanks a volunteer who served here (or helped them in a
mutual-aid exchange), once a day; the volunteer reads and may hide them; others read them only
if the volunteer is on public lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import honour_selectors as selectors
from gongzhi.volunteering import honours
from gongzhi.volunteering.models import AidPost, Exchange, ExchangeStatus, ThankYouNote
from tests.factories import member
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of


def served(community, worker, **fields):
    """A volunteer with one confirmed two-hour shift, and the activity."""
    volunteer = volunteer_of(community, **fields)
    activity = activity_of(community, worker)
    shift = shift_of(activity, starts_in=timedelta(days=-2))
    entry_of(signup_of(shift, volunteer), worker, minutes=120)
    return volunteer, activity


@pytest.mark.django_db
def test_a_resident_thanks_a_volunteer_who_served(community, worker, resident):
    volunteer, activity = served(community, worker)
    note = honours.thanks_send(
        actor=resident, volunteer=volunteer, text="谢谢你帮我们清理花园", activity=activity
    )
    assert note.activity == activity
    assert Activity.objects.in_community(community).filter(verb="thanks.sent").exists()
    assert Notification.objects.filter(kind="volunteer_thanked", user=volunteer.person).exists()
    assert selectors.thanks_of(volunteer) == [note]


@pytest.mark.django_db
def test_once_a_day_per_author_and_volunteer(community, worker, resident):
    volunteer, _activity = served(community, worker)
    honours.thanks_send(actor=resident, volunteer=volunteer, text="谢谢")
    with pytest.raises(ValidationError) as refused:
        honours.thanks_send(actor=resident, volunteer=volunteer, text="再次感谢")
    assert refused.value.code == "thanked_today"
    # someone else may, and the same author the next day
    honours.thanks_send(actor=member(community), volunteer=volunteer, text="谢谢")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        honours.thanks_send(actor=resident, volunteer=volunteer, text="又来感谢")
    assert ThankYouNote.objects.in_community(community).filter(author=resident).count() == 2


@pytest.mark.django_db
def test_refusals(community, worker, resident, unverified, other_community):
    volunteer, _activity = served(community, worker)
    with pytest.raises(PermissionDenied):
        honours.thanks_send(actor=unverified, volunteer=volunteer, text="谢谢")
    with pytest.raises(PermissionDenied):
        honours.thanks_send(actor=member(other_community), volunteer=volunteer, text="谢谢")
    never_served = volunteer_of(community)
    other_activity = activity_of(community, worker, title="别的活动")
    cases = [
        ("text_missing", {"volunteer": volunteer, "text": "   "}),
        ("text_too_long", {"volunteer": volunteer, "text": "谢" * 501}),
        ("own_thanks", {"volunteer": volunteer, "text": "谢谢", "actor": volunteer.person}),
        ("not_served", {"volunteer": never_served, "text": "谢谢"}),
        ("activity_unknown", {"volunteer": volunteer, "text": "谢谢", "activity": other_activity}),
    ]
    for code, fields in cases:
        actor = fields.pop("actor", resident)
        with pytest.raises(ValidationError) as refused:
            honours.thanks_send(actor=actor, **fields)
        assert refused.value.code == code, code
    assert not ThankYouNote.objects.in_community(community).exists()


@pytest.mark.django_db
def test_someone_helped_in_an_exchange_may_thank_a_volunteer_who_never_served_a_shift(
    community, resident
):
    helper = volunteer_of(community)
    post = AidPost.objects.create(
        community=community, kind="request", author=resident, title="陪我去医院", minutes=60
    )
    Exchange.objects.create(
        community=community,
        post=post,
        helped=resident,
        helper=helper.person,
        minutes=60,
        status=ExchangeStatus.DONE,
    )
    honours.thanks_send(actor=resident, volunteer=helper, text="谢谢你陪我去医院")
    with pytest.raises(ValidationError) as refused:
        honours.thanks_send(actor=member(community), volunteer=helper, text="谢谢")
    assert refused.value.code == "not_served"


@pytest.mark.django_db
def test_the_volunteer_hides_a_note_and_others_cannot(community, worker, resident):
    volunteer, _activity = served(community, worker, on_public_lists=True)
    note = honours.thanks_send(actor=resident, volunteer=volunteer, text="谢谢")
    assert selectors.public_thanks(community) == [note]
    with pytest.raises(PermissionDenied):
        honours.thanks_hide(actor=resident, note=note)
    honours.thanks_hide(actor=volunteer.person, note=note)
    note.refresh_from_db()
    assert note.hidden_at is not None
    assert selectors.public_thanks(community) == []
    assert selectors.thanks_of(volunteer) == []
    assert selectors.thanks_of(volunteer, include_hidden=True) == [note]
    assert Activity.objects.in_community(community).filter(verb="thanks.hidden").count() == 1


@pytest.mark.django_db
def test_a_worker_may_hide_a_note(community, worker, resident):
    volunteer, _activity = served(community, worker)
    note = honours.thanks_send(actor=resident, volunteer=volunteer, text="谢谢")
    assert honours.thanks_hide(actor=worker, note=note).hidden_at is not None


@pytest.mark.django_db
def test_notes_are_public_only_for_volunteers_on_public_lists(community, worker, resident):
    private, _a = served(community, worker)
    public, _b = served(community, worker, on_public_lists=True)
    honours.thanks_send(actor=resident, volunteer=private, text="谢谢甲")
    shown = honours.thanks_send(actor=resident, volunteer=public, text="谢谢乙")
    assert selectors.public_thanks(community) == [shown]
    public.on_public_lists = False
    public.save(update_fields=["on_public_lists"])
    assert selectors.public_thanks(community) == []


@pytest.mark.django_db(transaction=True)
def test_simultaneous_notes_from_one_author_store_one(live_server, community, worker, resident):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    # helped in an exchange rather than served a shift: the hours ledger is append-only and
    # would refuse the runner's flush after a transactional test
    volunteer = volunteer_of(community)
    post = AidPost.objects.create(
        community=community, kind="request", author=resident, title="修自行车", minutes=30
    )
    Exchange.objects.create(
        community=community,
        post=post,
        helped=resident,
        helper=volunteer.person,
        minutes=30,
        status=ExchangeStatus.DONE,
    )
    token = api_token_create(user=resident, name="t")[1]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/volunteering/volunteers/"
        f"{volunteer.pk}/thanks"
    )

    statuses = race_posts(url, token, [{"text": f"谢谢 {n}"} for n in range(6)])

    assert statuses == [201] + [400] * 5
    assert ThankYouNote.objects.in_community(community).filter(author=resident).count() == 1

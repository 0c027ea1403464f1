"""core/places.py: the first waiting take the places that freed up, oldest first."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.core.places import promote_waiting
from gongzhi.volunteering.models import SignUp, SignUpStatus
from tests.volunteering.world import activity_of, shift_of, signup_of, volunteer_of


def test_the_oldest_waiting_take_the_free_places(community, worker):
    shift = shift_of(activity_of(community, worker), capacity=2)
    now = timezone.now()
    waiting = [
        signup_of(
            shift,
            volunteer_of(community),
            status=SignUpStatus.WAITLISTED,
            created_at=now - timedelta(minutes=minutes),
        )
        for minutes in (5, 30, 10)
    ]
    queue = SignUp.objects.in_community(community).filter(status=SignUpStatus.WAITLISTED)

    assert promote_waiting(queue, free=0, status=SignUpStatus.REGISTERED) == []
    promoted = promote_waiting(queue, free=2, status=SignUpStatus.REGISTERED)

    assert [s.pk for s in promoted] == [waiting[1].pk, waiting[2].pk]
    assert {s.pk for s in queue} == {waiting[0].pk}
    assert [s.pk for s in promote_waiting(queue, free=None, status="registered")] == [waiting[0].pk]

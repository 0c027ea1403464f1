"""Invitations to try a role, and the choice to stay off the pipeline: who may, what is refused
(with a translated message, nothing saved), the journal's data, the tie accepting keeps, and
two workers inviting the same person at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongzhi.core.models import Activity, Role
from gongzhi.learning import ladder_services as services
from gongzhi.learning.models import (
    Connection,
    ConnectionKind,
    Invitation,
    InvitationStatus,
    PipelineOptOut,
)
from gongzhi.notifications.models import Notification
from tests.factories import member

pytestmark = pytest.mark.django_db


def entries(community, verb):
    return list(Activity.objects.in_community(community).filter(verb=verb))


def invite(community, worker, person, step="meetings.chair", **kwargs):
    with transaction.atomic():  # so on_commit notifications are sent in tests
        return services.invitation_send(
            actor=worker, community=community, person=person, step=step, **kwargs
        )


def test_a_worker_invites_the_person_is_told_and_the_journal_keeps_the_convention(
    community, worker, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(community, worker, resident, message="你主持过两次，愿意试试吗？")
    assert invitation.status == InvitationStatus.SENT
    (entry,) = entries(community, "leadership.invited")
    assert entry.actor == worker
    assert entry.data == {"person": resident.pk, "invited_by": worker.pk, "step": "meetings.chair"}
    note = Notification.objects.get(user=resident)
    assert note.kind == "leadership_invitation"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("self", "own_invitation"),
        ("opted_out", "opted_out"),
        ("unknown_step", "step_unknown"),
        ("outsider", "not_member"),
        ("twice", "already_invited"),
    ],
)
def test_refusals_are_clear_translated_and_save_nothing(
    community, other_community, worker, resident, case, code
):
    person, step = resident, "meetings.chair"
    if case == "self":
        person = worker
    elif case == "opted_out":
        PipelineOptOut.objects.in_community(community).create(person=resident)
    elif case == "unknown_step":
        step = "nonsense.step"
    elif case == "outsider":
        person = member(other_community)
    elif case == "twice":
        invite(community, worker, resident)
    before = Invitation.objects.in_community(community).count()
    with pytest.raises(ValidationError) as refused:
        invite(community, worker, person, step=step)
    assert refused.value.code == code
    assert Invitation.objects.in_community(community).count() == before
    # a sentence a person reads (through gettext: the catalogues are filled at the end)
    assert refused.value.messages[0].endswith((".", ":", "。", "："))


def test_only_staff_invite(community, resident):
    neighbour = member(community)
    with pytest.raises(PermissionDenied):
        invite(community, resident, neighbour)
    assert not Invitation.objects.in_community(community).exists()


def test_accepting_keeps_the_tie_and_tells_the_inviter(
    community, worker, resident, django_capture_on_commit_callbacks
):
    invitation = invite(community, worker, resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_answer(actor=resident, invitation=invitation, accept=True)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.answered_at
    tie = Connection.objects.in_community(community).get()
    assert (tie.source, tie.target, tie.kind) == (worker, resident, ConnectionKind.INVITED)
    (entry,) = entries(community, "leadership.invitation_accepted")
    assert entry.data["person"] == resident.pk and entry.data["invited_by"] == worker.pk
    assert Notification.objects.filter(user=worker, kind="leadership_invitation").exists()
    with pytest.raises(ValidationError) as again:
        services.invitation_answer(actor=resident, invitation=invitation, accept=False)
    assert again.value.code == "not_open"


def test_declining_keeps_no_tie_and_nobody_else_answers(community, worker, resident):
    invitation = invite(community, worker, resident)
    for other in (worker, member(community), member(community, Role.COMMUNITY_WORKER)):
        with pytest.raises(PermissionDenied):
            services.invitation_answer(actor=other, invitation=invitation, accept=True)
    services.invitation_answer(actor=resident, invitation=invitation, accept=False)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Connection.objects.in_community(community).exists()
    assert entries(community, "leadership.invitation_declined")


def test_a_worker_withdraws_an_open_invitation_and_may_invite_again(community, worker, resident):
    invitation = invite(community, worker, resident)
    with pytest.raises(PermissionDenied):
        services.invitation_withdraw(actor=resident, invitation=invitation)
    other_worker = member(community, Role.COMMUNITY_WORKER)
    services.invitation_withdraw(actor=other_worker, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    assert entries(community, "leadership.invitation_withdrawn")
    with pytest.raises(ValidationError):
        services.invitation_answer(actor=resident, invitation=invitation, accept=True)
    assert invite(community, worker, resident).status == InvitationStatus.SENT


def test_opting_out_and_back_in_is_journalled_once_each(community, resident):
    assert services.pipeline_choice(actor=resident, community=community, listed=False)
    assert not services.pipeline_choice(actor=resident, community=community, listed=False)
    assert PipelineOptOut.objects.in_community(community).filter(person=resident).count() == 1
    assert services.pipeline_choice(actor=resident, community=community, listed=True)
    assert not services.pipeline_choice(actor=resident, community=community, listed=True)
    assert not PipelineOptOut.objects.in_community(community).exists()
    assert len(entries(community, "pipeline.opted_out")) == 1
    assert len(entries(community, "pipeline.opted_in")) == 1


def test_someone_outside_the_community_cannot_opt_out_there(other_community, resident):
    with pytest.raises(PermissionDenied):
        services.pipeline_choice(actor=resident, community=other_community, listed=False)


@pytest.mark.django_db(transaction=True)
def test_workers_inviting_one_person_at_once_store_one_invitation(live_server, community, worker):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    person = member(community)
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import TOTP_SECRET

    workers = [worker, *(member(community, Role.COMMUNITY_WORKER) for _ in range(4))]
    for other in workers[1:]:
        TOTP.activate(other, TOTP_SECRET)  # staff use the API with two factors on
    tokens = [api_token_create(user=w, name="t")[1] for w in workers]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/learning/invitations"
    body = {"person": person.pk, "step": "meetings.chair"}

    statuses = race_posts(url, tokens, [body] * len(tokens))

    assert statuses == [201] + [400] * 4
    assert Invitation.objects.in_community(community).filter(person=person).count() == 1
    assert len(entries(community, "leadership.invited")) == 1


@pytest.mark.django_db(transaction=True)
def test_an_answer_and_a_withdrawal_at_once_decide_once(live_server, community, worker):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    person = member(community)
    invitation = Invitation.objects.in_community(community).create(
        person=person, step="meetings.chair", invited_by=worker
    )
    base = f"{live_server.url}/api/v1/communities/{community.slug}/learning/invitations/"
    person_token = api_token_create(user=person, name="t")[1]
    worker_token = api_token_create(user=worker, name="t")[1]
    answer = race_posts(f"{base}{invitation.pk}/answer", person_token, [{"accept": True}] * 3)
    withdraw = race_posts(f"{base}{invitation.pk}/withdraw", worker_token, [{}] * 3)

    assert answer == [200, 400, 400] and withdraw == [400, 400, 400]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert Connection.objects.in_community(community).count() == 1

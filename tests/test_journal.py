"""The activity journal: append-only, hash-chained, and tamper-evident."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gongzhi.core import journal, services, soon
from gongzhi.core.models import Activity, AppendOnlyError, JournalHead
from tests.factories import UserFactory, member


def _fill(community, n=5):
    actor = member(community)
    for i in range(n):
        journal.record(
            community=community, actor=actor, verb="test.act", data={"i": i, "名": "张三"}
        )
    # The test's transaction never commits, so the chaining that follows a commit is run here.
    journal.chain(community)
    return actor


@pytest.mark.django_db
def test_chain_links_each_entry_to_the_last(community):
    _fill(community, 4)
    entries = list(Activity.objects.in_community(community).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == "0" * 64
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    assert journal.verify(community) is None
    assert JournalHead.objects.get(community=community).hash == entries[-1].hash


@pytest.mark.django_db
def test_each_community_has_its_own_chain(community, other_community):
    _fill(community, 3)
    _fill(other_community, 2)
    assert Activity.objects.in_community(other_community).order_by("seq").first().seq == 1
    assert journal.verify(community) is None and journal.verify(other_community) is None


@pytest.mark.django_db
def test_altered_entry_is_reported(community):
    _fill(community, 5)
    # An UPDATE that bypasses the model, as someone with database access could do.
    Activity.objects.in_community(community).filter(seq=3).update(data={"i": 99})
    link = journal.verify(community)
    assert link is not None and link.seq == 3
    with pytest.raises(CommandError):
        call_command("journal_verify", community=community.slug, stdout=(out := _Buffer()))
    assert f"BROKEN community={community.slug} seq=3" in out.text


@pytest.mark.django_db
def test_removed_entry_is_reported(community):
    _fill(community, 5)
    Activity.objects.in_community(community).filter(seq=2)._raw_delete(connection.alias)
    link = journal.verify(community)
    assert link is not None and link.seq == 2


@pytest.mark.django_db
def test_removed_last_entry_is_reported(community):
    _fill(community, 4)
    Activity.objects.in_community(community).filter(seq=4)._raw_delete(connection.alias)
    link = journal.verify(community)
    assert link is not None and link.seq == 4


@pytest.mark.django_db
def test_rewritten_chain_is_reported_by_a_changed_actor(community):
    _fill(community, 3)
    intruder = UserFactory()
    Activity.objects.in_community(community).filter(seq=1).update(actor=intruder)
    assert journal.verify(community).seq == 1


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_model(community):
    _fill(community, 1)
    entry = Activity.objects.in_community(community).get()
    entry.verb = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db
def test_journal_verify_command_ok(community):
    _fill(community, 2)
    out = _Buffer()
    call_command("journal_verify", stdout=out)
    assert f"ok community={community.slug}" in out.text


@pytest.mark.django_db
def test_on_behalf_names_both(community, worker):
    membership = services.resident_register_on_behalf(
        actor=worker, community=community, phone="13911112222", display_name="刘奶奶"
    )
    entries = Activity.objects.in_community(community).filter(on_behalf_of=membership.user)
    assert {e.verb for e in entries} == {"membership.joined", "membership.verified"}
    assert all(e.actor_id == worker.pk for e in entries)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(community):
    actors = [member(community) for _ in range(4)]
    errors: list[Exception] = []

    def append(actor):
        from django.db import connections

        try:
            for i in range(10):
                journal.record(
                    community=community, actor=actor, verb="test.concurrent", data={"i": i}
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Activity.objects.in_community(community).count() == 40
    assert journal.verify(community) is None


@pytest.mark.django_db
def test_an_entry_is_pending_until_its_act_commits_then_chained(
    community, django_capture_on_commit_callbacks
):
    actor = member(community)
    with django_capture_on_commit_callbacks(execute=True):
        entry = journal.record(community=community, actor=actor, verb="test.act")
        entry.refresh_from_db()
        assert entry.seq is None and entry.hash == ""
        assert journal.pending_count(community) == 1
        assert journal.verify(community) is None  # pending is not broken
    entry.refresh_from_db()
    assert entry.seq == 1 and entry.hash == entry.compute_hash()
    assert journal.pending_count(community) == 0
    assert journal.head_of(community) == (1, entry.hash)


@pytest.mark.django_db
def test_chaining_numbers_in_order_and_continues_an_existing_chain(community):
    _fill(community, 2)
    actor = member(community)
    later = [journal.record(community=community, actor=actor, verb="test.later") for _ in range(3)]
    assert journal.chain(community) == 3
    assert journal.chain(community) == 0
    seqs = [Activity.objects.in_community(community).get(pk=e.pk).seq for e in later]
    assert seqs == [3, 4, 5]
    assert journal.verify(community) is None


@pytest.mark.django_db
def test_with_a_task_worker_one_chaining_task_covers_many_acts(
    community, settings, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    from gongzhi.core import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.JOURNAL_CHAIN_DELAY = 30
    soon.forget()
    actor = member(community)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            journal.record(community=community, actor=actor, verb="test.act")
    queued = [r for r in default_task_backend.results if r.task.func == tasks.chain_journal.func]
    assert len(queued) == 1 and queued[0].args == [community.pk]
    assert queued[0].task.run_after is not None
    assert journal.pending_count(community) == 5
    assert tasks.chain_journal.call(community.pk) == 5
    assert journal.pending_count(community) == 0 and journal.verify(community) is None
    soon.forget()


@pytest.mark.django_db
def test_journal_verify_can_chain_what_is_pending(community):
    actor = member(community)
    journal.record(community=community, actor=actor, verb="test.act")
    out = _Buffer()
    call_command("journal_verify", "--community", community.slug, "--chain", stdout=out)
    assert f"ok community={community.slug} entries=1" in out.text
    assert "pending=0" in out.text


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


@pytest.mark.django_db
def test_removing_the_tail_and_the_head_record_is_reported(community):
    _fill(community, 3)
    Activity.objects.in_community(community).filter(seq=3)._raw_delete(connection.alias)
    JournalHead.objects.filter(community=community).delete()
    assert journal.verify(community) is not None


@pytest.mark.django_db
def test_a_forged_entry_with_a_recomputed_plain_hash_is_reported(community):
    import hashlib

    _fill(community, 2)
    entry = Activity.objects.in_community(community).get(seq=2)
    Activity.objects.in_community(community).filter(pk=entry.pk).update(data={"forged": True})
    entry.refresh_from_db()
    forged = hashlib.sha256(entry.prev_hash.encode() + entry.canonical()).hexdigest()
    Activity.objects.in_community(community).filter(pk=entry.pk).update(hash=forged)
    JournalHead.objects.filter(community=community).update(hash=forged)
    assert journal.verify(community).seq == 2


@pytest.mark.django_db
def test_people_with_journal_entries_cannot_be_deleted(community):
    from django.db.models import ProtectedError

    actor = _fill(community, 1)
    with pytest.raises(ProtectedError):
        actor.delete()

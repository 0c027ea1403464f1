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
def test_a_past_time_is_kept_for_demo_history_and_imports(community):
    from datetime import UTC, datetime

    actor = member(community)
    then = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    entry = journal.record(community=community, actor=actor, verb="test.act", at=then)
    now = journal.record(community=community, actor=actor, verb="test.act")
    journal.chain(community)
    entry.refresh_from_db()
    assert entry.at == then and entry.seq == 1 and now.at > then
    assert journal.verify(community) is None  # the time is signed like the rest


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


# --- Keys carry an id and rotate ----------------------------------------------------------------

OLD_KEY = "old-journal-key-" + "x" * 40
NEW_KEY = "new-journal-key-" + "y" * 40


def _verify_out():
    out = _Buffer()
    try:
        call_command("journal_verify", stdout=out)
    except CommandError:
        out.write("\nFAILED")
    return out.text


@pytest.mark.django_db
def test_entries_from_before_key_ids_verify_under_key_1_exactly_as_before(community, settings):
    """The chain as it was computed before keys had ids: HMAC(JOURNAL_KEY, prev + canonical)."""
    import hashlib
    import hmac

    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = OLD_KEY, "1", {}
    _fill(community, 3)
    prev = "0" * 64
    for entry in Activity.objects.in_community(community).order_by("seq"):
        expected = hmac.new(
            OLD_KEY.encode(), prev.encode() + entry.canonical(), hashlib.sha256
        ).hexdigest()
        assert entry.hash == expected
        prev = entry.hash
    # After a change of key the old chain still verifies, with the old key retired as id 1.
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = NEW_KEY, "2"
    settings.JOURNAL_RETIRED_KEYS = {"1": OLD_KEY}
    assert journal.verify(community) is None


@pytest.mark.django_db
def test_rotating_the_key_chains_on_under_the_new_one(community, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = OLD_KEY, "1", {}
    actor = _fill(community, 2)
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = NEW_KEY, "2"
    settings.JOURNAL_RETIRED_KEYS = {"1": OLD_KEY}
    # Until the rotation is recorded, new entries are still signed with the chain's key.
    journal.record(community=community, actor=actor, verb="test.act")
    journal.chain(community)
    assert "(not yet on the current key 2" in _verify_out()
    out = _Buffer()
    call_command("journal_rotate_key", stdout=out)
    assert f"rotated community={community.slug} key=2" in out.text
    rotation = Activity.objects.in_community(community).get(verb=journal.ROTATION_VERB)
    assert rotation.seq == 4 and rotation.data == {"from": "1", "to": "2"}
    assert rotation.hash == rotation.compute_hash(OLD_KEY)
    journal.record(community=community, actor=actor, verb="test.after")
    journal.chain(community)
    after = Activity.objects.in_community(community).get(verb="test.after")
    assert after.seq == 5 and after.hash == after.compute_hash(NEW_KEY)
    assert journal.verify(community) is None
    text = _verify_out()
    assert f"ok community={community.slug} entries=5" in text and "key=2" in text
    assert "FAILED" not in text
    # Running it again changes nothing.
    call_command("journal_rotate_key", stdout=_Buffer())
    assert Activity.objects.in_community(community).filter(verb=journal.ROTATION_VERB).count() == 1
    # Tampering after the rotation is still found, under the new key.
    Activity.objects.in_community(community).filter(seq=5).update(data={"forged": True})
    assert journal.verify(community).seq == 5


@pytest.mark.django_db
def test_a_key_the_server_does_not_have_is_named(community, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = OLD_KEY, "1", {}
    _fill(community, 2)
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = NEW_KEY, "2"  # the old key forgotten
    link = journal.verify(community)
    assert link.seq == 1 and link.unknown_key == "1"
    text = _verify_out()
    assert f"UNKNOWN KEY community={community.slug} seq=1: signed with key id '1'" in text
    assert "JOURNAL_RETIRED_KEYS" in text and "FAILED" in text
    # Nor can the chain go on or rotate: entries wait, pending, and the command says why.
    actor = member(community)
    journal.record(community=community, actor=actor, verb="test.act")
    with pytest.raises(journal.UnknownJournalKey):
        journal.chain(community)
    with pytest.raises(CommandError, match="key id '1' is not configured"):
        call_command("journal_rotate_key", stdout=_Buffer())
    assert journal.pending_count(community) == 1


@pytest.mark.django_db
def test_a_chain_begun_under_another_key_says_so_first(community, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = NEW_KEY, "7", {}
    _fill(community, 2)
    first = Activity.objects.in_community(community).get(seq=1)
    assert first.verb == journal.ROTATION_VERB and first.data == {"from": None, "to": "7"}
    assert first.hash == first.compute_hash(NEW_KEY)
    assert journal.verify(community) is None
    assert journal.key_id_of(community) == "7"


@pytest.mark.django_db
def test_a_key_id_is_never_used_twice_in_a_chain(community, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = OLD_KEY, "1", {}
    _fill(community, 1)
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = NEW_KEY, "2"
    settings.JOURNAL_RETIRED_KEYS = {"1": OLD_KEY}
    journal.rotate_key(community)
    # Back to the old (perhaps leaked) key under its old id: refused.
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = OLD_KEY, "1"
    settings.JOURNAL_RETIRED_KEYS = {"2": NEW_KEY}
    with pytest.raises(journal.JournalError, match="used before"):
        journal.rotate_key(community)
    assert journal.verify(community) is None


@pytest.mark.django_db
def test_a_forged_rotation_entry_is_reported(community, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = OLD_KEY, "1", {}
    _fill(community, 2)
    # Someone with database access turns an entry into a rotation towards another key.
    Activity.objects.in_community(community).filter(seq=2).update(
        verb=journal.ROTATION_VERB, data={"from": "1", "to": "9"}
    )
    assert journal.verify(community).seq == 2
    with pytest.raises(journal.JournalError):
        journal.record(community=community, actor=None, verb=journal.ROTATION_VERB)


@pytest.mark.django_db
def test_bulk_append_follows_the_chains_key(community, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = OLD_KEY, "1", {}
    actor = _fill(community, 1)
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = NEW_KEY, "2"
    settings.JOURNAL_RETIRED_KEYS = {"1": OLD_KEY}
    journal.rotate_key(community)
    from django.utils import timezone

    entry = journal.PendingEntry("test.bulk", actor.pk, timezone.now())
    assert journal.bulk_append(community, [entry, entry]) == 2
    assert journal.verify(community) is None

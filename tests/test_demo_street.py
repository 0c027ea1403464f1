"""The tests that need the whole demo street, seeded ONCE for all of them (issue 12).

Seeding the 300-resident demo street takes seconds; three tests used to seed it (300 or 240)
each on their own. Here the street is seeded once per run of this module, in a transaction that
is never committed: each test runs in a savepoint inside it (pytest-django's ``db``, as usual),
so what a test changes is undone before the next one, and the whole street is rolled back when
the module ends, so no other test module ever sees it (with ``--dist loadfile`` a module runs on
one worker, in order).

* the street itself: believable, and the command never touches what it did not create
  (the refusals on an empty database stay in tests/test_seed_demo.py);
* a crawl of every page as a visitor, a resident and a community worker: the
  Content-Security-Policy, no inline code, no-store (helpers in tests/test_csp.py);
* a walk of the Chinese pages as a resident and a community worker: no catalogue English and no
  raw codes (helpers in tests/test_untranslated.py).
"""

from __future__ import annotations

import io
import os
import re
import warnings

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.budgeting.models import Idea, Process
from gongzhi.core import journal
from gongzhi.core.models import Activity, Community, Membership, Oversight, Role, RoleGrant
from gongzhi.deliberation.models import Comment, Proposal
from gongzhi.notifications.sms import LocmemSmsBackend
from gongzhi.opinions.models import Conversation
from gongzhi.voting import services as voting_services
from gongzhi.voting.models import Vote
from tests.factories import CommunityFactory, member
from tests.test_csp import EXPORTS, crawl, inline_code, no_store
from tests.test_untranslated import COMMUNITY, START, findings, report, walk

RESIDENTS = 300


@pytest.fixture(scope="module")
def street(django_db_setup, django_db_blocker):
    """Seed the demo street once for this module; return what the command printed.

    Seeded inside an atomic block that is rolled back when the module ends. As on a real run,
    the acts' after-commit work (chaining the journal, mapping the conversation) runs when the
    seed's transaction would commit, captured the way ``django_capture_on_commit_callbacks``
    does it.
    """
    # The settings tests/conftest.py gives each test (a fast password hasher, messages kept in
    # memory), which a module's fixture runs before.
    test_settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SMS_BACKEND="gongzhi.notifications.sms.LocmemSmsBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        with test_settings, TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", residents=RESIDENTS, quiet=True, stdout=out)
        LocmemSmsBackend.outbox.clear()
        yield out.getvalue()
        transaction.set_rollback(True)


# --- The street itself --------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_street(street):
    communities = list(Community.objects.order_by("slug"))
    assert [c.slug for c in communities] == ["hexie", "xingfu", "yangguang"]
    # and the three named members
    assert Membership.objects.all_communities().count() == RESIDENTS + 3
    roles = set(RoleGrant.objects.all_communities().values_list("role", flat=True))
    assert {
        Role.COMMUNITY_WORKER,
        Role.SUPERVISOR,
        Role.COUNCIL_MEMBER,
        Role.VOLUNTEER,
        Role.MEDIATOR,
    } <= roles
    assert Oversight.objects.filter(street__slug="heping").exists()
    # Each community describes itself in Chinese, on Chinese pages (its own text, not the UI's).
    assert all(re.fullmatch(r"[\u4e00-\u9fff0-9，、。]+", c.description) for c in communities)
    names = Membership.objects.all_communities().values_list("user__display_name", flat=True)
    assert all("\u4e00" <= name[0] <= "\u9fff" for name in names)  # Chinese names
    for community in communities:
        assert journal.verify(community) is None
    assert "seconds=" in street
    # The first community has a living hall: proposals with support and comments, one on the
    # council's agenda; an open poll; a closed secret vote with results; a mapped conversation.
    # (A fifth, accepted, is the consultation the spaces demo's roof garden opened after.)
    xingfu = communities[1]
    proposals = Proposal.objects.in_community(xingfu)
    assert proposals.count() == 5 and proposals.filter(status="review").count() == 1
    assert Comment.objects.in_community(xingfu).count() >= 10
    votes = Vote.objects.in_community(xingfu)
    closed = votes.get(secret=True)
    assert closed.is_closed() and voting_services.results(closed).passed is not None
    assert any(v.is_open() for v in votes)
    conversation = Conversation.objects.in_community(xingfu).get()
    assert conversation.opinion_map.summary["groups"]  # the map was computed, with groups
    budget = Process.objects.in_community(xingfu).get()
    assert budget.phase() == "voting"
    assert Idea.objects.in_community(xingfu).filter(status="accepted").count() == 5
    # A second run leaves the demo as it is.
    call_command("seed_demo", quiet=True, stdout=io.StringIO())
    assert Membership.objects.all_communities().count() == RESIDENTS + 3

    # --force deletes nothing: the journal and the ledger are append-only, even in the demo.
    entries = Activity.objects.all_communities().count()
    with pytest.raises(CommandError, match="deletes nothing.*fresh data directory"):
        call_command("seed_demo", force=True, quiet=True, stdout=io.StringIO())
    assert Membership.objects.all_communities().count() == RESIDENTS + 3
    assert Activity.objects.all_communities().count() == entries
    assert all(journal.verify(c) is None for c in Community.objects.all())

    # A real resident with a 139 number who signed up in the demo, and a community someone
    # made there, are not the demo's: --force names them and touches nothing.
    theirs = CommunityFactory(slug="zhenshi")
    member(theirs, phone="+8613912345678")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", force=True, quiet=True, stdout=io.StringIO())
    message = str(refused.value)
    assert "community zhenshi" in message and "1 account(s)" in message
    assert "did not create" in message
    assert User.objects.filter(phone="+8613912345678").exists()
    assert Community.objects.filter(slug="zhenshi").exists()
    # What people do in the demo does not stop `make run` (a plain run) either.
    call_command("seed_demo", quiet=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_what_a_test_changes_in_the_street_is_undone(street):
    """The street every test here reads is the one seeded: the test above added a community and
    a resident to it, and they are gone (its savepoint was rolled back)."""
    assert not Community.objects.filter(slug="zhenshi").exists()
    assert not User.objects.filter(phone="+8613912345678").exists()
    assert Membership.objects.all_communities().count() == RESIDENTS + 3


# --- Every page: the Content-Security-Policy and caching (issue 11) ----------------------


@pytest.mark.django_db
def test_every_page_of_the_demo_street(street):
    """As a visitor, a resident and a community worker: every page has the policy and no
    inline code; every page a logged-in person sees and every download is no-store."""
    communities = [c.slug for c in Community.objects.order_by("slug")]
    starts = ["/", *(f"/c/{slug}/" for slug in communities)]
    # Linked only once the ballots are counted; the demo's budget is still being voted on.
    budget = Process.objects.all_communities().select_related("community").get()
    starts.append(reverse("budget_export", args=[budget.community.slug, budget.pk]))

    problems: list[str] = []
    downloads: dict[str, list[str]] = {}
    for who, phone in (
        ("visitor", None),
        ("resident", "+8613900000001"),
        ("worker", "+8613900000002"),
    ):
        client = Client()
        extra = []
        if phone:
            client.force_login(User.objects.get(phone=phone))
            extra = [
                reverse("profile"),
                reverse("inbox"),
                # allauth's own pages, not all linked from ours
                reverse("account_change_phone"),
                reverse("account_email"),
                reverse("account_change_password"),
                reverse("mfa_index"),
            ]
        pages = crawl(client, starts + extra)
        assert len(pages) > (20 if who == "visitor" else 60), (who, len(pages))
        for url, name, response in pages:
            where = f"{who} {url} ({response.status_code})"
            if "Content-Security-Policy" not in response:
                problems.append(f"{where}: no Content-Security-Policy")
            if response.get("Content-Type", "").startswith("text/html"):
                for found in inline_code(response.content.decode()):
                    problems.append(f"{where}: {found}")
            download = response.get("Content-Disposition", "").startswith("attachment")
            if download:
                downloads.setdefault(who, []).append(name or url)
            if (phone or download) and not no_store(response):
                problems.append(f"{where}: not no-store ({response.get('Cache-Control')})")
    assert not problems, "\n".join(problems)
    reached = set(downloads.get("worker", []))
    assert reached >= EXPORTS, f"the crawl did not reach the exports {EXPORTS - reached}"


# --- The Chinese pages: no English the catalogue translates, no raw codes -----------------


@pytest.mark.django_db
def test_chinese_pages_show_no_catalogue_english_and_no_codes(client, street):
    resident = User.objects.get(phone="+8613900000001")
    worker = User.objects.get(phone="+8613900000002")
    resident.language = worker.language = "zh-hans"
    User.objects.bulk_update([resident, worker], ["language"])
    pages = {}
    visited: dict[str, int] = {}
    for who in (resident, worker):
        client.force_login(who)
        walked = walk(client, START)
        visited[who.display_name] = len(walked)
        pages.update({f"{url} ({who.display_name})": page for url, page in walked.items()})
        client.logout()
    # The walk reached each app, the closed vote's published ballots among them.
    urls = " ".join(pages)
    for part in ("proposals/", "votes/", "budgets/", "conversations/", "hotline/", "notices/"):
        assert f"/c/{COMMUNITY}/{part}" in urls, part
    for who in (resident, worker):
        assert any("/published/" in url and who.display_name in url for url in pages), who
    assert min(visited.values()) >= 20, visited
    shown, pending = findings(pages)
    if pending:
        listing = report(pending)
        warnings.warn(
            f"English on Chinese pages that the catalogue does not translate yet "
            f"(for the translation pass):\n{listing}",
            stacklevel=1,
        )
        if os.environ.get("CI"):
            print(f"Untranslated, waiting for the translation pass:\n{listing}")  # noqa: T201
    assert not shown, "English or raw codes on zh-Hans pages:\n" + report(shown)

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper

from gongzhi.core.models import Role
from gongzhi.notifications.sms import LocmemSmsBackend
from tests import db_selection
from tests.factories import CommunityFactory, UserFactory, member, official_of

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _communities_first(flush):
    """The runner empties the database after a transactional test with one DELETE per table,
    in set order on SQLite. Append-only ledgers (core/appendonly.py) refuse a DELETE while the
    row's community exists, so communities go first (foreign keys are checked at commit);
    PostgreSQL's TRUNCATE fires no row triggers."""

    def sql_flush(self, style, tables, **options):
        ordered = sorted(tables, key=lambda table: table != "core_community")
        return flush(self, style, ordered, **options)

    return sql_flush


# The live server listens with socketserver's default backlog of 5: thirty clients of a
# concurrency test connecting at the same instant overflow it and some connections are reset
# before a request is sent. A real server's backlog is larger; so is every live server's here.
ThreadedWSGIServer.request_queue_size = max(ThreadedWSGIServer.request_queue_size, 128)

SqliteOperations = SqliteWrapper.ops_class
SqliteOperations.sql_flush = _communities_first(SqliteOperations.sql_flush)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With GONGZHI_DB_TESTS_ONLY=1 (CI's PostgreSQL pass), only the tests that can reach the
    database run: the others already ran on SQLite and cannot depend on it (tests/db_selection.py)."""
    db_selection.pytest_collection_modifyitems(config, items)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.SMS_BACKEND = "gongzhi.notifications.sms.LocmemSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Factories hash many passwords; argon2 itself is covered by test_settings.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (zh-hans): a request made as a user whose
    language is English activates it for the thread (accounts.api), and a later test's gettext
    in the same worker would read English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; no test should see another's."""
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception:  # noqa: S110 - the cache table exists only once a DB test has begun
        pass
    yield


@pytest.fixture
def sms_outbox():
    return LocmemSmsBackend.outbox


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def other_community(db):
    return CommunityFactory()


@pytest.fixture
def resident(community):
    return member(community)


@pytest.fixture
def unverified(community):
    return member(community, verified=False)


@pytest.fixture
def worker(community):
    user = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def supervisor(community):
    return member(community, Role.SUPERVISOR)


@pytest.fixture
def official(community):
    user = official_of(community.street)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    user = UserFactory(is_superuser=True, is_staff=True)
    TOTP.activate(user, TOTP_SECRET)
    return user

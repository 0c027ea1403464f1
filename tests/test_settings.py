"""Production settings pass Django's deployment checks and refuse to start half-configured;
the demo runs with DEBUG off on its own keys; passwords are hashed with argon2.

The settings are read in a subprocess with an environment made here, nothing inherited but the
path to Python: the tests' own process runs on tests/settings.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALIYUN = "gongzhi.notifications.sms.AliyunSmsBackend"


def _clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """Only what Python needs, a data directory of the test's own (no var/demo.env), and
    ``values``."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    env.update(
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        GONGZHI_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'data.sqlite3'}",
    )
    env.update(values)
    return env


def _production_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """Everything production must set, each key a secret of its own."""
    return _clean_env(
        tmp_path,
        **{
            "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "JOURNAL_KEY": "a-long-random-journal-key-" + "y" * 40,
            "VOTE_KEY": "a-long-random-vote-key-" + "z" * 40,
            "CREDENTIAL_KEY": "a-long-random-credential-key-" + "w" * 40,
            "MEDIATION_KEY": "a-long-random-mediation-key-" + "v" * 40,
            "ALLOWED_HOSTS": "gongzhi.example.org",
            "SMS_BACKEND": ALIYUN,
            "SMS_ALIYUN_ACCESS_KEY_ID": "LTAI-test",
            "SMS_ALIYUN_ACCESS_KEY_SECRET": "test-secret",
            "SMS_ALIYUN_SIGN_NAME": "共治",
            "SMS_ALIYUN_TEMPLATE_LOGIN_CODE": "SMS_100000001",
            "SMS_ALIYUN_TEMPLATE_NOTIFICATION": "SMS_100000002",
            "TASKS_BACKEND": "database",
            **values,
        },
    )


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(env: dict[str, str], *names: str) -> list[str]:
    """The values of ``names`` as the project's settings read them in ``env``."""
    code = "import gongzhi.settings as s; " + "; ".join(
        f"print(repr(getattr(s, {n!r}, None)))" for n in names
    )
    result = _run("-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"SECRET_KEY": ""}, ["SECRET_KEY is not set"]),
        ({"JOURNAL_KEY": ""}, ["JOURNAL_KEY is not set"]),
        ({"VOTE_KEY": "", "SECRET_KEY": ""}, ["SECRET_KEY is not set", "VOTE_KEY is not set"]),
        ({"CREDENTIAL_KEY": ""}, ["CREDENTIAL_KEY is not set"]),
        ({"MEDIATION_KEY": ""}, ["MEDIATION_KEY is not set"]),
        (
            {"CREDENTIAL_KEY": "a-long-random-vote-key-" + "z" * 40},
            ["VOTE_KEY and CREDENTIAL_KEY are the same"],
        ),
        (
            {"VOTE_KEY": "a-long-random-journal-key-" + "y" * 40},
            ["JOURNAL_KEY and VOTE_KEY are the same"],
        ),
        (
            {"SECRET_KEY": "dev-only-not-secret-gongzhi-" + "0" * 40},
            ["SECRET_KEY is the development key"],
        ),
        ({"ALLOWED_HOSTS": ""}, ["ALLOWED_HOSTS is not set"]),
        ({"SMS_BACKEND": ""}, ["SMS_BACKEND is gongzhi.notifications.sms.ConsoleSmsBackend"]),
        (
            {"SMS_BACKEND": "gongzhi.notifications.sms.FileSmsBackend"},
            ["SMS_BACKEND is gongzhi.notifications.sms.FileSmsBackend"],
        ),
        ({"TASKS_BACKEND": "immediate"}, ["TASKS_BACKEND is not 'database'"]),
    ],
)
def test_production_refuses_to_start_half_configured(tmp_path, change, says):
    env = _production_env(tmp_path, **change)
    for name, value in change.items():
        if not value:
            del env[name]
    result = _run("-c", "import gongzhi.settings", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: gongzhi will not start" in result.stderr, result.stderr
    message = result.stderr.strip().splitlines()[-1]
    problems = {
        "SECRET_KEY is",
        "JOURNAL_KEY is",
        "VOTE_KEY is",
        "CREDENTIAL_KEY is",
        "MEDIATION_KEY is",
        "are the same",
        "ALLOWED_HOSTS",
        "SMS_BACKEND",
        "TASKS_BACKEND",
    }
    for said in says:
        assert said in message
    for other in problems:  # exactly what is missing, nothing else
        if not any(other in said for said in says):
            assert other not in message, (other, message)


def test_with_nothing_set_debug_is_off_and_gunicorn_refuses_to_start(tmp_path):
    env = _clean_env(tmp_path)
    result = _run("-m", "gunicorn", "--check-config", "gongzhi.wsgi:application", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stdout + result.stderr
    env["GONGZHI_DEMO"] = "1"  # the demo's switch alone: still no debug pages
    assert _settings(env, "DEBUG") == ["False"]


def test_make_demo_writes_the_demos_settings_once_and_the_demo_reads_them(tmp_path):
    data = tmp_path / "data"
    env = _clean_env(tmp_path)
    first = _run("-m", "gongzhi.demo_env", str(data), env=env)
    assert first.returncode == 0 and "wrote" in first.stdout, first.stderr
    written = (data / "demo.env").read_text()
    assert (data / "demo.env").stat().st_mode & 0o077 == 0  # it holds keys: the owner's alone
    again = _run("-m", "gongzhi.demo_env", str(data), env=env)
    assert again.returncode == 0 and again.stdout == ""
    assert (data / "demo.env").read_text() == written  # generated once and kept

    values = dict(
        line.split("=", 1) for line in written.splitlines() if "=" in line and line[0] != "#"
    )
    assert values["DEBUG"] == "0" and values["GONGZHI_DEMO"] == "1"
    keys = [
        values[name]
        for name in ("SECRET_KEY", "JOURNAL_KEY", "VOTE_KEY", "CREDENTIAL_KEY", "MEDIATION_KEY")
    ]
    assert len(set(keys)) == len(keys) and all(len(key) >= 50 for key in keys)
    assert not any(key.startswith("dev-only") for key in keys)

    demo = _settings(
        env,
        "DEBUG",
        "SECRET_KEY",
        "VOTE_KEY",
        "WHITENOISE_USE_FINDERS",
        "ALLOWED_HOSTS",
        "SMS_BACKEND",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
    )
    assert demo[0] == "False"  # no debug pages in the demo
    assert demo[1] == repr(values["SECRET_KEY"]) and demo[2] == repr(values["VOTE_KEY"])
    assert demo[3] == "True"  # static files from the apps' folders: no collectstatic needed
    assert "'127.0.0.1'" in demo[4] and "'localhost'" in demo[4]
    assert demo[5] == repr("gongzhi.notifications.sms.ConsoleSmsBackend")  # codes on the console
    assert demo[6:] == ["None", "None"]  # plain HTTP on the loopback (Django's defaults)
    # What the environment sets wins over the file.
    env["SECRET_KEY"] = "from-the-environment-" + "e" * 40
    assert _settings(env, "SECRET_KEY") == [repr(env["SECRET_KEY"])]


def test_secret_key_fallbacks_come_from_the_environment(tmp_path):
    env = _production_env(tmp_path, SECRET_KEY_FALLBACKS="old-key-one, old-key-two")
    assert _settings(env, "SECRET_KEY_FALLBACKS") == [repr(["old-key-one", "old-key-two"])]


def test_the_tests_run_on_explicit_keys_of_their_own(settings):
    from gongzhi.demo_env import LEGACY_SECRET_KEY

    # Set in the environment before the settings were read (tests/settings.py), so that a
    # manage.py a test starts gets them too; never the development key, never derived.
    names = ("SECRET_KEY", "JOURNAL_KEY", "VOTE_KEY", "CREDENTIAL_KEY", "MEDIATION_KEY")
    for name in names:
        assert getattr(settings, name) == os.environ[name]
        assert not getattr(settings, name).startswith(LEGACY_SECRET_KEY)
    assert len({getattr(settings, name) for name in names}) == len(names)


@pytest.mark.django_db
def test_a_missing_page_never_shows_the_debug_page(client):
    response = client.get("/no-such-page-at-all/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "URLconf" not in body and "urlpatterns" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_the_demo_serves_static_files_without_collectstatic(client):
    response = client.get("/static/gongzhi/site.css")
    assert response.status_code == 200


def test_default_password_hasher_is_argon2():
    import gongzhi.settings as project_settings  # the file itself: tests swap in a fast hasher

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_hashes_verify(settings):
    from django.contrib.auth.hashers import check_password, make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password("long enough passphrase")
    assert encoded.startswith("argon2$")
    assert check_password("long enough passphrase", encoded)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_models_and_migrations_agree(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit_:  # --check exits 1 when a migration is missing
        raise AssertionError("a model change has no migration:\n" + out.getvalue()) from exit_
    assert "No changes detected" in out.getvalue()


def test_operations_keeps_access_logs_at_least_six_months():
    """网络安全法 art. 21: web logs are kept for at least six months; the documented logrotate
    configuration must keep them that long (daily rotation, 183 days or more, no size cut)."""
    import re

    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("## Access logs", 1)[1].split("\n## ", 1)[0]
    config = section.split("/etc/logrotate.d/gongzhi", 1)[1]
    assert re.search(r"^\s*daily$", config, re.MULTILINE)
    kept = int(re.search(r"^\s*rotate (\d+)$", config, re.MULTILINE).group(1))
    aged = int(re.search(r"^\s*maxage (\d+)$", config, re.MULTILINE).group(1))
    assert kept >= 183 and aged >= 183
    assert not re.search(r"^\s*(size|maxsize) ", config, re.MULTILINE)
    assert "--access-logfile" in text and "access_log " in section

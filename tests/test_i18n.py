"""Chinese first, English always: every string in the code is in both catalogues, translated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.management.commands.compile_catalogues import incomplete_messages

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "gongzhi" / "locale"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_committed_catalogues_are_complete(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert po.exists()
    assert incomplete_messages(po) == []


def test_every_string_in_the_code_is_translated(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed in CI to extract messages")
        pytest.skip(
            "GNU gettext is not installed: cannot extract messages (apt-get install gettext)"
        )
    # makemessages writes next to the sources, so it runs on a copy of the project.
    shutil.copytree(
        ROOT / "gongzhi", tmp_path / "gongzhi", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    copy = tmp_path / "gongzhi" / "locale"
    env = {**os.environ, "GONGZHI_LOCALE_DIR": str(copy), "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "en",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            ".venv/*",
            "--ignore",
            "var/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
            "--ignore",
            "docs/*",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for language in ("zh_Hans", "en"):
        missing = incomplete_messages(copy / language / "LC_MESSAGES" / "django.po")
        assert missing == [], (
            f"{language}: untranslated (run `make messages` and translate): {missing}"
        )


def test_default_language_is_simplified_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]

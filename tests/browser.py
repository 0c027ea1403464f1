"""Where the browser journeys find Chromium: Debian's package, never a downloaded build."""

from __future__ import annotations

import os
import shutil


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit and os.path.exists(explicit):
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None

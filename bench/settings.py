"""The benchmarks' settings: the project's production settings, less what a benchmark lacks.

A benchmark is not a deployment: it has no SMS provider, and some benches run tasks at once
(``TASKS_BACKEND=immediate``) to time them inside the request, so it says ``GONGZHI_DEMO=1``
and the project's settings start without them. Every bench sets its own random keys
(``SECRET_KEY``, ``JOURNAL_KEY``, ``VOTE_KEY``) in its processes' environment before this module
is read. What a server does for each request stays as in production: static files are the
collected, hashed ones (WhiteNoise from the manifest, not from the apps' folders).
"""

from __future__ import annotations

import os

os.environ["GONGZHI_DEMO"] = "1"

from gongzhi.settings import *  # noqa: E402,F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

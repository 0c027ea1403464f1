"""The app's settings, plus what DEBUG=0 needs to render pages at all today.

Two static-file problems make every HTML page answer 500 with DEBUG=0 and the app's own
settings (see docs/performance.md, "Known problems"):

* ``gongzhi/static/`` is not inside an app and not in STATICFILES_DIRS, so collectstatic skips
  ``gongzhi/site.css`` and ``{% static 'gongzhi/site.css' %}`` raises "Missing staticfiles
  manifest entry";
* ``base.html`` asks for ``django_htmx/htmx.min.js``, which django-htmx does not ship.

Both overrides are no-ops once the app is fixed: the directory is only added if missing, and
the lenient storage (bench/staticstorage.py) differs from the app's only for a file that is
not in the manifest: it gets its plain URL, as with DEBUG=1, instead of failing the page. ``bench/run.py`` reports which
referenced static files are missing from the manifest.
"""

from __future__ import annotations

from gongzhi.settings import *  # noqa: F403
from gongzhi.settings import BASE_DIR

STATICFILES_DIRS = list(globals().get("STATICFILES_DIRS", []))
_APP_STATIC = BASE_DIR / "gongzhi" / "static"
if not any(
    str(d[1] if isinstance(d, tuple) else d).rstrip("/") == str(_APP_STATIC)
    for d in STATICFILES_DIRS
):
    STATICFILES_DIRS.append(_APP_STATIC)
if not DEBUG:  # noqa: F405
    STORAGES = {  # noqa: F405
        **STORAGES,  # noqa: F405
        "staticfiles": {"BACKEND": "bench.staticstorage.LenientManifestStorage"},
    }

"""Pages and downloads with personal data are never stored by a browser or a proxy.

One rule at one place, instead of ``never_cache`` on a hundred views: a response is marked
``Cache-Control: no-store`` (with Django's ``add_never_cache_headers``, so also ``private`` and
``max-age=0``) when

* it answers an authenticated user — a logged-in session or an API token: what they see is
  theirs (their name, their ballot, their community's members), and a shared computer's
  back button or disk cache must not show it to the next person; or
* it is a download (``Content-Disposition: attachment``): every export — member lists,
  statistics, finance reports, opinion data, ``.pb`` files, personal-data downloads — is
  marked so, whoever asks.

What a visitor sees without logging in (the public pages, RSS/Atom feeds, photos shown inline)
keeps whatever caching its view chose, and static files never reach this middleware (WhiteNoise
answers them first, with its own long-lived headers).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


def is_download(response: HttpResponseBase) -> bool:
    disposition = response.get("Content-Disposition", "")
    return disposition.strip().lower().startswith("attachment")


def is_personal(request: HttpRequest) -> bool:
    """Whether the answer may carry the asker's own data: a session user or an API token."""
    if request.headers.get("Authorization"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """Marks personal pages and every download ``no-store`` (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(self.static_prefix):
            return response
        if is_download(response) or is_personal(request):
            # A view's own "private, max-age=…" (an attachment's) must not survive.
            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response

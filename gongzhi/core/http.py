"""Small helpers that every app's views and API handlers share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from ninja.errors import AuthenticationError

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even when every box is unticked), else None."""
    return request.POST if request.method == "POST" else None


def error_text(exc: Exception) -> str:
    """A ValidationError's messages (or any exception's text) as one line for a page's errors."""
    return " ".join(str(m) for m in getattr(exc, "messages", [str(exc)]))


def request_user(request: HttpRequest) -> User:
    """The logged-in person, in a view behind ``login_required`` (or on the admin site).

    Those views never see a visitor; should one get through, it is refused rather than handed
    to a service as an actor."""
    user = request.user
    if not isinstance(user, get_user_model()):
        raise PermissionDenied
    return user


def api_user(request: HttpRequest) -> User:
    """The caller of an API operation that needs a login (the API's default auth: a token or a
    session). django-ninja puts the person its auth returned on ``request.auth``.

    That auth already answered 401 to anyone else; the check keeps it so if an operation's auth
    is ever loosened without its handler noticing."""
    user = getattr(request, "auth", None)
    if not isinstance(user, get_user_model()):
        raise AuthenticationError
    return user


def api_viewer(request: HttpRequest) -> User | AnonymousUser:
    """Whoever reads a public API operation: the person behind the token or session when one is
    given (``request.auth``), else the request's own user (a visitor on a public read)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, (get_user_model(), AnonymousUser)):
        return auth
    return request.user

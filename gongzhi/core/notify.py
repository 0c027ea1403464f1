"""How any part of gongzhi tells a person something without importing the app that delivers it.

Core sits below every feature app and imports none of them, yet its acts (a verified residence,
a role granted) are news to someone. ``send()`` is the plug point: it calls the notifier that
one app declares in its ``manifest.py`` (``NOTIFIER = "module.function"``; the notifications
app's ``notify``), found through the manifests registry; ``unread_count()`` does the same for
the header's badge (``UNREAD_COUNT``).

This module also holds the shape in which apps declare their kinds of notification in their
manifests (``NOTIFICATION_KINDS = {"vote_opened": Kind(...)}``): the label a person reads in
their settings, the messages of that kind as untranslated msgids (``gettext_lazy``), and who
receives it. A notification is stored as its kind, message and parameters, and rendered in the
reader's language each time it is shown or sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext, pgettext


@dataclass(frozen=True)
class Message:
    """One message of a kind: a title and an optional body, each a ``gettext_lazy`` msgid
    %-formatted with the notification's parameters (``%(title)s``) when it is rendered."""

    title: Any
    body: Any = ""


@dataclass(frozen=True)
class Kind:
    """A kind of notification, the unit a person chooses channels for.

    ``roles``: only people who hold one of these roles in some community (street officials and
    platform admins by their own standing) receive it; empty means anyone may. ``receives``:
    a dotted path to a predicate ``(user) -> bool`` for people outside those roles who receive
    it too (the handlers of a hotline department). ``confidential``: who receives it is itself
    a secret (a mediation case's parties), so its deliveries never show on the staff's
    delivery log; only the recipient sees it, in their inbox.
    """

    label: Any
    messages: Mapping[str, Message] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    receives: str = ""
    confidential: bool = False

    def __str__(self) -> str:
        return str(self.label)

    @property
    def for_everyone(self) -> bool:
        return not self.roles and not self.receives

    def receivable_by(self, user: Any) -> bool:
        """Whether ``user`` is someone this kind is ever sent to."""
        if self.for_everyone:
            return True
        from gongzhi.core.models import Role
        from gongzhi.core.policies import access_of

        access = access_of(user)
        held = set().union(*access.roles.values()) if access.roles else set()
        if access.is_admin:
            held.add(Role.PLATFORM_ADMIN)
        if access.overseen:
            held.add(Role.STREET_OFFICIAL)
        if held & set(self.roles):
            return True
        return bool(self.receives) and bool(import_string(self.receives)(user))


def msgid_of(text: Any) -> tuple[str, str]:
    """``(context, msgid)`` of a lazy translation from ``gettext_lazy``/``pgettext_lazy``.

    A lazy string pickles as (its function, its arguments); that is the public way to read the
    msgid it will translate, without translating it."""
    if not isinstance(text, Promise):
        raise TypeError(f"not a lazy translation: {text!r}")
    reduced: Any = text.__reduce__()
    func, args = reduced[1][0], reduced[1][1]
    if func is gettext and len(args) == 1:
        return "", str(args[0])
    if func is pgettext and len(args) == 2:
        return str(args[0]), str(args[1])
    raise TypeError(f"not a gettext_lazy or pgettext_lazy string: {text!r}")


def notifier() -> Any:
    """The function the app that delivers notifications registers as ``NOTIFIER``."""
    from gongzhi.core.manifests import notifier_path

    path = notifier_path()
    if not path:
        raise ImproperlyConfigured("No installed app declares NOTIFIER in its manifest.py.")
    return import_string(path)


def send(
    *,
    users: Iterable[Any],
    kind: str,
    message: str = "",
    params: Mapping[str, Any] | None = None,
    url: str = "",
    community: Any = None,
) -> Any:
    """Tell ``users`` the ``message`` of ``kind`` (declared in a manifest), with ``params``."""
    return notifier()(
        users=users, kind=kind, message=message, params=params, url=url, community=community
    )


def unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread, for the header's badge: the
    ``UNREAD_COUNT`` function an app declares in its manifest, or 0 without one."""
    from gongzhi.core.manifests import declared_once

    path = declared_once("UNREAD_COUNT")
    return int(import_string(path)(user=user)) if path else 0

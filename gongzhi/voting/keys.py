"""The key of secret ballots (``VOTE_KEY``) and the rule that binds a ballot box to it.

A secret ballot is stored under a pseudonym, HMAC(``VOTE_KEY``, ballot box:voter), so that a
voter can change their ballot until the close while nothing in the database links them to it.
If the key changed while a box is open, a voter's next ballot would get another pseudonym and
count twice. So a box (a secret ``Vote``, a budgeting ``Process``) records the id of the key
(``VOTE_KEY_ID``) its first online ballot was cast under, with a fingerprint of the key (so a
key changed without a new id is caught too), and until it closes it takes ballots only under
that same key: after a rotation, casting is refused with a message saying why, the
system check ``voting.W001`` (``manage.py check --deploy`` and ``manage.py check_keys``) names
every open box whose key is missing, and putting the old key back resumes the vote. A box with
no online ballot yet is bound to whichever key is current when its first ballot comes.

After the close, the retired key (``VOTE_RETIRED_KEYS``, ``id:secret``) lets a voter still see
the ballot they cast (budgeting's ``my_ballot``). docs/operations.md, "Rotating keys".
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

KEY_CHANGED = _(
    "Voting is paused: the key that keeps this ballot secret was changed on the server after "
    "voting began. The site's operators must put the earlier key back; the ballots already cast "
    "are safe. Please try again later."
)


def current_id() -> str:
    return str(settings.VOTE_KEY_ID)


def pseudonym(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=8)  # every ballot asks: computed once per key
def fingerprint(key: str) -> str:
    """A short digest that tells keys apart without revealing them: it catches a key that was
    changed without a new id."""
    return pseudonym(key, "gongzhi vote key fingerprint")[:16]


def key_for(key_id: str, check: str = "") -> str | None:
    """The secret a box bound to ``key_id`` (with fingerprint ``check``) was keyed with: the
    current key or a retired one; None if this server lacks it."""
    if key_id == current_id() or not key_id:
        key = str(settings.VOTE_KEY)
    else:
        key = {str(k): v for k, v in settings.VOTE_RETIRED_KEYS.items()}.get(key_id, "")
    if not key or (check and fingerprint(key) != check):
        return None
    return key


def bind(box: Any) -> str:
    """The key to cast a ballot into ``box`` with, inside the casting transaction.

    The first online ballot binds the box to the current key (its id and fingerprint; one
    conditional UPDATE, so two first ballots cast at once agree); later ones must come under
    that same key, or this raises a ``ValidationError`` (code ``vote_key_changed``) with a
    message the voter reads.
    """
    key = str(settings.VOTE_KEY)
    bound = (current_id(), fingerprint(key))
    if (box.vote_key_id, box.vote_key_check) != bound:
        boxes = type(box).objects.in_community(box.community_id).filter(pk=box.pk)
        if not box.vote_key_id:
            boxes.filter(vote_key_id="").update(vote_key_id=bound[0], vote_key_check=bound[1])
            box.vote_key_id, box.vote_key_check = boxes.values_list(
                "vote_key_id", "vote_key_check"
            ).get()
        if (box.vote_key_id, box.vote_key_check) != bound:
            raise ValidationError(KEY_CHANGED, code="vote_key_changed")
    return key


def box_key_problem(box: Any) -> str | None:
    """Why ``box`` (bound, not yet closed) cannot take ballots under this server's keys, or None."""
    if not box.vote_key_id:
        return None
    if box.vote_key_id == current_id() and box.vote_key_check == fingerprint(
        str(settings.VOTE_KEY)
    ):
        return None
    if key_for(box.vote_key_id, box.vote_key_check) is not None:
        where = "is only among VOTE_RETIRED_KEYS"
    elif box.vote_key_id == current_id():
        where = "was changed without a new VOTE_KEY_ID"
    else:
        where = "is not configured"
    return (
        f"its ballots are keyed by VOTE_KEY id {box.vote_key_id!r}, which {where}: "
        f"casting is refused until that key is VOTE_KEY (with its id) again"
    )


def missing_key_warnings(
    read_boxes: Callable[[], list[Any]],
    *,
    describe: Callable[[Any], str],
    hint: str,
    check_id: str,
) -> list[checks.CheckMessage]:
    """The system check behind ``voting.W001`` and ``budgeting.W001``: one warning per open box
    whose key this server lacks. Quiet when there is no database yet (a fresh install)."""
    try:
        boxes = read_boxes()
    except DatabaseError:
        return []
    found: list[checks.CheckMessage] = []
    for box in boxes:
        problem = box_key_problem(box)
        if problem:
            found.append(
                checks.Warning(f"{describe(box)}: {problem}.", hint=hint, obj=box, id=check_id)
            )
    return found

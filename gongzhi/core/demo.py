"""The demo street's content, as each app registers it: an app's ``manifest.py`` declares
``DEMO = {"voting": DemoContent(order=20, seed="gongzhi.voting.demo.seed")}``, and
``manage.py seed_demo`` builds the places and people, then calls every registered seeder in
``order`` with one ``DemoContext``. Core knows no app's content; an app that is not installed
simply seeds nothing.

The order matters twice: a later app's content may rest on an earlier one's (the hotline's
tickets after the proposals they mention), and the seeders draw from one shared random
generator, so the same ``--seed`` gives the same demo only if they run in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.utils.module_loading import import_string

from gongzhi.core.manifests import collect

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.core.models import Community


@dataclass(frozen=True)
class DemoContent:
    """What an app adds to the demo: ``seed`` ("module.function") is called with the
    ``DemoContext``, after every seeder of a lower ``order``."""

    order: int
    seed: str


@dataclass
class DemoContext:
    """The demo street the seeders fill."""

    #: The demo's communities; the first is where the named resident, worker and supervisor live.
    communities: list[Community]
    #: A community worker of the first community (the demo login 13900000002).
    worker: User
    #: A member of the first community's supervision committee (13900000004): a second pair of
    #: eyes where an act needs one (approving the ledger).
    supervisor: User
    #: The first community's verified residents without a role, in the order they joined.
    residents: list[User]
    #: The same residents in one random order drawn before any seeder runs, so every app picks
    #: from the same crowd (the people who back a proposal also vote on the budget).
    crowd: list[User]
    rng: random.Random

    @property
    def community(self) -> Community:
        """Where the demo's life happens: the first community."""
        return self.communities[0]


def demo_contents() -> list[tuple[str, DemoContent]]:
    """Every registered ``(key, DemoContent)``, in the order they seed."""
    registry = cast("dict[str, DemoContent]", collect("DEMO"))
    return sorted(registry.items(), key=lambda item: (item[1].order, item[0]))


def seed_all(context: DemoContext) -> list[str]:
    """Run every registered seeder in order; returns the keys that ran."""
    ran = []
    for key, content in demo_contents():
        seeder = cast("Callable[[DemoContext], object]", import_string(content.seed))
        seeder(context)
        ran.append(key)
    return ran

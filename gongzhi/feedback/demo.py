"""Demo content of the hotline, made through the services (so routing, the timeline, the journal
and notifications are exactly as in real use): the default categories, two departments with
their handlers, and tickets in every state — routed automatically, waiting in triage, accepted,
in progress, resolved and waiting for a rating, rated, merged as a duplicate, and one filed by a
community worker for an elderly resident (代办). Registered in ``manifest.DEMO``: ``seed_demo``
calls ``seed``, which fills the demo community with ``seed_demo_hotline``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from gongzhi.accounts.models import User
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Building, Community
from gongzhi.feedback import services
from gongzhi.feedback.models import Category, Ticket


def seed(context: DemoContext) -> None:
    seed_demo_hotline(context.community, worker=context.worker, residents=context.residents)
    # its own stream, forked from the shared one without drawing from it (the later seeders'
    # draws stay as they were)
    seed_history(
        context.community,
        residents=context.residents,
        rng=random.Random(hash(context.rng.getstate())),  # noqa: S311 (demo data)
    )


#: (text, public, building index or None, what happens to it)
TICKETS = [
    ("3号楼电梯又停了，卡在五楼，老人下不了楼", True, 0, "rated"),
    ("晚上十点以后楼下广场舞音响还很大声，孩子睡不着", True, 1, "in_progress"),
    ("楼下广场舞的音响太吵了，每天晚上到十点多", False, 1, "merged"),
    ("东门路边的路灯坏了好几天，晚上很黑", True, None, "resolved"),
    ("消防通道被电动车堵住了，万一着火进不来", True, 0, "accepted"),
    ("您好，想问一下社区有没有人能帮忙", False, None, "triage"),
    ("二楼楼道垃圾堆了好多天没人清理，有臭味", True, 2, "submitted"),
]


def seed_demo_hotline(
    community: Community,
    *,
    worker: User,
    residents: Sequence[User],
    handlers: Sequence[User] = (),
) -> dict[str, Any]:
    """Fill the community's hotline. ``worker`` is a community worker (who triages, assigns and
    files for a resident); ``handlers`` (members of the community) handle the property office's
    tickets, the worker the grid team's. Does nothing if the community has tickets already.
    Returns what it made, for the caller's summary."""
    if Ticket.objects.in_community(community).exists():
        return {"tickets": 0}
    if len(residents) < 3:
        raise ValueError("the hotline's demo needs at least three residents")
    services.categories_install_defaults(community=community, actor=worker)
    office = services.department_create(actor=worker, community=community, name="物业服务中心")
    grid = services.department_create(actor=worker, community=community, name="网格工作站")
    for person in handlers or [worker]:
        services.handler_add(actor=worker, department=office, user=person)
    services.handler_add(actor=worker, department=grid, user=worker)
    by_code = {c.code: c for c in Category.objects.in_community(community)}
    for code in ("property_repair", "elevator", "utilities", "sanitation", "greenery"):
        services.category_update(actor=worker, category=by_code[code], department=office)
    for code in ("noise", "parking", "safety_hazard", "neighbour_dispute", "dogs"):
        services.category_update(actor=worker, category=by_code[code], department=grid)

    buildings = list(Building.objects.in_community(community).order_by("pk")[:3])
    made: dict[str, Ticket] = {}
    for index, (text, public, where, fate) in enumerate(TICKETS):
        made[fate] = services.ticket_file(
            actor=residents[index % len(residents)],
            community=community,
            text=text,
            building=buildings[where] if where is not None and where < len(buildings) else None,
            is_public=public,
        )

    def handler_of(ticket: Ticket) -> User:
        ticket.refresh_from_db()
        if ticket.department_id == office.pk and handlers:
            return handlers[0]
        return worker

    for fate in ("rated", "resolved", "in_progress", "accepted"):
        ticket = made[fate]
        if ticket.category_id is None:  # the router was unsure: the worker decides
            ticket = services.ticket_recategorise(
                actor=worker, ticket=ticket, category="safety_hazard"
            )
        services.ticket_accept(actor=handler_of(ticket), ticket=ticket, note="已受理，马上安排。")
    services.ticket_start(actor=handler_of(made["in_progress"]), ticket=made["in_progress"])
    services.ticket_note(
        actor=worker,
        ticket=made["in_progress"],
        note="已联系广场舞队负责人，约定晚上九点半前结束、音量调低。",
        public=True,
    )
    services.ticket_merge(actor=worker, ticket=made["merged"], into=made["in_progress"])
    services.ticket_resolve(
        actor=handler_of(made["rated"]),
        ticket=made["rated"],
        note="电梯公司已更换门机控制板，电梯恢复运行，并做了安全检查。",
    )
    services.ticket_rate(
        actor=residents[0],  # its reporter
        ticket=made["rated"],
        solved=True,
        satisfaction=5,
        comment="当天就修好了，谢谢。",
    )
    services.ticket_resolve(
        actor=handler_of(made["resolved"]),
        ticket=made["resolved"],
        note="已更换灯泡和线路，路灯恢复照明。",
    )
    # An elderly resident without a smartphone asks at the service station (代办).
    elderly = residents[-1]
    made["for_resident"] = services.ticket_file(
        actor=worker,
        community=community,
        text="独居老人腿脚不便，希望有人每周上门送两次饭",
        on_behalf_of=elderly,
        contact="phone",
    )
    return {"tickets": Ticket.objects.in_community(community).count(), "departments": 2}


#: Tickets a day in each category of the history (the rest are rarer), and the month of its peak
#: (a yearly swing of +-40%): repairs after the rainy summer, noise on warm evenings, heating in
#: winter, greenery in spring.
HISTORY_RATES = {
    "property_repair": (2.2, 7),
    "sanitation": (1.2, 8),
    "noise": (1.0, 7),
    "parking": (0.9, 1),
    "utilities": (0.6, 12),
    "greenery": (0.4, 4),
    "elderly_services": (0.3, 1),
}
HISTORY_DAYS = 730


def seed_history(community: Community, *, residents: Sequence[User], rng: random.Random) -> int:
    """Two years of closed tickets before today (one insert, not the services: a service acts
    now), with a weekly pattern (fewer at weekends), a yearly one and public holidays (fewer),
    so the spaces' demand forecast has a hotline to forecast. Numbers continue the counter."""
    import math
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from gongzhi.core import holidays
    from gongzhi.feedback.models import Routing, Status, TicketCounter

    by_code = {c.code: c for c in Category.objects.in_community(community)}
    counter, _made = TicketCounter.objects.in_community(community).get_or_create(
        community=community
    )
    today, rows = timezone.localdate(), []
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        weekly = 0.6 if day.weekday() >= 5 else 1.1
        off = 0.5 if holidays.is_holiday(day) else 1.0
        for code, (rate, peak) in HISTORY_RATES.items():
            category = by_code.get(code)
            if category is None:
                continue
            season = 1 + 0.4 * math.cos(2 * math.pi * (day.month - peak) / 12)
            mean = rate * weekly * off * season
            count = sum(1 for _ in range(12) if rng.random() < mean / 12)  # binomial ~ Poisson
            for _n in range(count):
                at = timezone.make_aware(
                    datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)))
                )
                counter.last += 1
                rows.append(
                    Ticket(
                        community=community, number=counter.last, text=category.name,
                        reporter=rng.choice(residents), category=category,
                        department_id=category.department_id, routing=Routing.AUTO,
                        status=Status.CLOSED, created_at=at, updated_at=at + timedelta(days=3),
                        accepted_at=at + timedelta(hours=2), resolved_at=at + timedelta(days=2),
                        closed_at=at + timedelta(days=3),
                    )
                )  # fmt: skip
    Ticket.objects.bulk_create(rows, batch_size=1000)
    counter.save(update_fields=["last"])
    return len(rows)

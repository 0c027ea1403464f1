"""The demo's volunteering (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls
``seed`` after the bodies' and meetings' demos).

In the first community: the rules (half hours from 15 minutes, the cities' star levels, the
issuing organisation and the person responsible), five teams (环境, 治安巡逻, 邻里互助, 花园养护,
助老) with a leader each, a few dozen volunteers from the demo crowd (three registered by the
worker for them: 代办), four past activities whose shifts were worked, the times recorded and the
hours confirmed by the worker (one volunteer did not come, one entry reversed with a reason), a
certificate for a volunteer's hours,
two coming shifts with places still free, a thank-you note, an approved recognition list where
the council may approve one, and mutual aid: starting credit in the time bank, a request done
(both sides confirmed, the time moved), one agreed, and open requests and offers.

Everything goes through the services, so permissions, the journal and the checks are as in real
use. Dates are data: a past shift is created ahead (the shifts part refuses a sign-up to a
shift that started), signed up to, then moved back to when it happened, before its times are
recorded. The demo draws from its own random generator, seeded from a constant, and picks people
by their place in the crowd (never by a row id), so it repeats itself on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongzhi.core.demo import DemoContext
from gongzhi.volunteering import (
    aid,
    attendance,
    certificates,
    honours,
    ledger,
    services,
    shifts,
    timebank,
)
from gongzhi.volunteering.models import (
    AidKind,
    Shift,
    SignUp,
    TeamKind,
    Volunteer,
    VolunteerActivity,
)

#: How many of the crowd register (fewer on a small demo street).
VOLUNTEERS = 36
TEAMS = [
    ("环境保护志愿服务队", TeamKind.ENVIRONMENT, "垃圾分类宣传、楼道清洁"),
    ("治安巡逻队", TeamKind.PATROL, "夜间巡逻、电动车充电安全检查"),
    ("邻里互助队", TeamKind.NEIGHBOURS, "帮邻居搬东西、修小家电"),
    ("花园养护队", TeamKind.GARDEN, "社区花园除草、浇水、修剪"),
    ("助老服务队", TeamKind.ELDERS, "陪老人就医、上门探访独居老人"),
]
SKILLS = ["急救", "电工", "摄影", "手语", "驾驶", "心理疏导", "园艺", "维修"]
#: (team index, title, content, place, days ago, hours, places)
PAST = [
    (3, "周末花园除草", "为社区花园除草、浇水", "社区花园", 40, 2, 6),
    (0, "垃圾分类桶边督导", "在投放点引导居民分类投放", "3号楼投放点", 26, 2, 5),
    (4, "探访独居老人", "上门陪伴独居老人、检查用电安全", "各楼栋", 12, 3, 5),
    (1, "夜间安全巡逻", "小区夜间巡逻、检查电动车充电", "小区各出入口", 5, 2, 4),
]
#: (team index, title, content, place, days ahead, hours, places)
COMING = [
    (3, "春季补种花苗", "补种花苗、铺设步道", "社区花园", 6, 3, 8),
    (4, "重阳节敬老活动", "为老人包饺子、表演节目", "社区活动室", 13, 2, 10),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _volunteers(context: DemoContext, teams: list[Any], rng: random.Random) -> list[Volunteer]:
    community, worker = context.community, context.worker
    people = context.crowd[: min(VOLUNTEERS, max(0, len(context.crowd) - 6))]
    volunteers: list[Volunteer] = []
    for n, person in enumerate(people):
        data = services.Registration(
            emergency_name="家属",
            emergency_phone=f"+861380013{n:04d}",
            skills=rng.sample(SKILLS, rng.randint(0, 2)),
            availability=rng.choice(["周末", "工作日晚上", "随时", ""]),
            languages=rng.choice(["普通话", "普通话、上海话", "普通话、英语"]),
            on_public_lists=n % 3 != 2,
        )
        by_worker = n % 12 == 11  # 代办: the worker registers a resident at the desk
        volunteers.append(
            services.volunteer_register(
                actor=worker if by_worker else person,
                community=community,
                data=data,
                consent=True,
                person=person if by_worker else None,
            )
        )
    for n, volunteer in enumerate(volunteers):
        team = teams[n % len(teams)]
        services.team_join(actor=volunteer.person, team=team, volunteer=volunteer)
        if n < len(teams):
            services.team_leader_appoint(actor=worker, team=team, volunteer=volunteer)
    return volunteers


def _activity(context: DemoContext, team: Any, title: str, content: str, place: str) -> Any:
    activity = shifts.activity_create(
        actor=context.worker,
        community=context.community,
        title=title,
        description=content,
        place=place,
        team=team,
    )
    return activity


def _past(
    context: DemoContext, teams: list[Any], volunteers: list[Volunteer], rng: random.Random
) -> list[Any]:
    """Past shifts worked: signed up ahead, moved back, times recorded, hours confirmed."""
    worker, today = context.worker, timezone.localdate()
    entries = []
    for number, (team_index, title, content, place, days_ago, hours, places) in enumerate(PAST):
        team = teams[team_index]
        activity = _activity(context, team, title, content, place)
        ahead = _at(today + timedelta(days=30 + number), 9)
        shift = shifts.shift_create(
            actor=worker,
            activity=activity,
            starts_at=ahead,
            ends_at=ahead + timedelta(hours=hours),
            capacity=places,
        )
        shifts.activity_publish(actor=worker, activity=activity)
        members = [v for n, v in enumerate(volunteers) if n % len(teams) == team_index]
        others = [v for v in volunteers if v not in members]
        chosen = (members + rng.sample(others, min(len(others), places)))[:places]
        signups = [shifts.signup_add(actor=volunteer.person, shift=shift) for volunteer in chosen]
        starts = _at(today - timedelta(days=days_ago), 9)
        Shift.objects.in_community(shift.community_id).filter(pk=shift.pk).update(
            starts_at=starts, ends_at=starts + timedelta(hours=hours)
        )
        shift.refresh_from_db()
        for n, signup in enumerate(signups):
            signup = SignUp.objects.in_community(shift.community_id).get(pk=signup.pk)
            if number == 1 and n == len(signups) - 1:
                attendance.no_show_record(actor=worker, signup=signup)
                continue
            arrived = starts + timedelta(minutes=rng.choice([-10, 0, 5, 15]))
            left = starts + timedelta(hours=hours, minutes=rng.choice([-40, -10, 0, 10, 20]))
            attendance.arrival_record(actor=worker, signup=signup, at=arrived)
            attendance.departure_record(actor=worker, signup=signup, at=left)
            entries.append(ledger.hours_confirm(actor=worker, signup=signup))
    if entries:
        ledger.hours_reverse(
            actor=worker, entry=entries[-1], reason="登记有误：该志愿者当晚提前离开，未参加巡逻"
        )
    return entries


def _coming(context: DemoContext, teams: list[Any], volunteers: list[Volunteer]) -> None:
    today = timezone.localdate()
    for number, (team_index, title, content, place, days, hours, places) in enumerate(COMING):
        activity = _activity(context, teams[team_index], title, content, place)
        starts = _at(today + timedelta(days=days), 14)
        shift = shifts.shift_create(
            actor=context.worker,
            activity=activity,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            capacity=places,
        )
        shifts.activity_publish(actor=context.worker, activity=activity)
        for volunteer in volunteers[number::7][: places // 2]:
            shifts.signup_add(actor=volunteer.person, shift=shift)


def _recognition(context: DemoContext, volunteers: list[Volunteer]) -> None:
    """An approved recognition list, where a body may approve one (the council's charter grants
    the power): proposed by the worker, decided by a member sitting in the body."""
    from gongzhi.bodies.models import Body, BodyKind, Mandate
    from gongzhi.bodies.selectors import sitting_q

    community = context.community
    body = (
        Body.objects.in_community(community)
        .filter(kind=BodyKind.COUNCIL, dissolved_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if body is None:
        return
    today = timezone.localdate()
    seated = [
        m.membership.user
        for m in Mandate.objects.in_community(community)
        .filter(sitting_q(today), body=body, membership__isnull=False)
        .select_related("membership__user")
        .order_by("position__pk", "seat")
        if m.membership is not None and m.membership.user_id != context.worker.pk
    ]
    public = [v for v in volunteers if v.on_public_lists][:4]
    if not seated or not public:
        return
    try:
        with transaction.atomic():
            proposed = honours.recognition_propose(
                actor=context.worker,
                community=community,
                body=body,
                year=today.year,
                title=f"{today.year}年度优秀志愿者",
                citation="感谢他们一年来为邻里付出的时间",
                entries=[(v, "常年参加社区志愿服务，热心助人") for v in public],
            )
            honours.recognition_decide(
                actor=seated[0],
                recognition=proposed,
                approve=True,
                present=len(seated),
                votes_for=len(seated),
            )
    except (ValidationError, PermissionDenied):
        return  # this council's charter does not give it the power: no list


def _aid(context: DemoContext, volunteers: list[Volunteer]) -> None:
    community, worker = context.community, context.worker
    helpers = [v.person for v in volunteers[:6]]
    residents = context.crowd[len(volunteers) : len(volunteers) + 6] or context.crowd[-6:]
    for person in dict.fromkeys([*helpers[:4], *residents[:4]]):
        timebank.grant_starting_credit(actor=worker, community=community, person=person)
    if len(residents) < 3 or len(helpers) < 3:
        return
    asked = aid.post_create(
        actor=residents[0],
        community=community,
        kind=AidKind.REQUEST,
        title="陪老人去医院复诊",
        description="母亲周三上午要去区中心医院复诊，需要有人陪同挂号、取药",
        when="周三上午",
        minutes=120,
    )
    done = aid.exchange_propose(actor=helpers[0], post=asked)
    aid.exchange_agree(actor=residents[0], exchange=done)
    aid.exchange_confirm(actor=residents[0], exchange=done)
    aid.exchange_confirm(actor=helpers[0], exchange=done)
    offer = aid.post_create(
        actor=helpers[1],
        community=community,
        kind=AidKind.OFFER,
        title="修自行车",
        description="周末在5号楼下帮邻居修自行车、补胎",
        when="周六下午",
        minutes=60,
    )
    agreed = aid.exchange_propose(actor=residents[1], post=offer)
    aid.exchange_agree(actor=helpers[1], exchange=agreed)
    aid.post_create(
        actor=residents[2],
        community=community,
        kind=AidKind.REQUEST,
        title="帮忙搬一个衣柜上楼",
        description="7号楼，没有电梯，需要两个人",
        when="本周日",
        minutes=60,
    )
    aid.post_create(
        actor=helpers[2],
        community=community,
        kind=AidKind.OFFER,
        title="教老人用手机挂号、视频通话",
        when="工作日晚上",
        minutes=60,
    )


def seed(context: DemoContext) -> None:
    """The first community's volunteering (see the module's docstring)."""
    community, worker = context.community, context.worker
    rng = random.Random("gongzhi.volunteering.demo")  # noqa: S311 - a demo, not a secret
    services.settings_update(
        actor=worker,
        community=community,
        unit_minutes=30,
        threshold_minutes=15,
        star_hours="100,300,600,1000,1500",
        issuer_name=f"{community.name}居民委员会",
        responsible_name="李建国",
    )
    teams = [
        services.team_create(
            actor=worker, community=community, name=name, kind=kind, description=description
        )
        for name, kind, description in TEAMS
    ]
    volunteers = _volunteers(context, teams, rng)
    if not volunteers:
        return
    entries = _past(context, teams, volunteers, rng)
    _coming(context, teams, volunteers)
    if entries:
        thanker = context.crowd[-1]
        served = entries[0].volunteer
        if thanker.pk != served.person_id:
            honours.thanks_send(
                actor=thanker,
                volunteer=served,
                text="谢谢你们把花园打理得这么漂亮，老人们都爱去坐坐",
                activity=VolunteerActivity.objects.in_community(community).get(
                    pk=entries[0].activity_id
                ),
            )
    if entries:
        # A certificate for the first volunteer's hours of the last two months (a reversed
        # entry is never counted; the reversal above is someone else's).
        today = timezone.localdate()
        certificates.certificate_issue(
            actor=worker,
            volunteer=entries[0].volunteer,
            period_from=today - timedelta(days=60),
            period_to=today,
        )
    _recognition(context, volunteers)
    _aid(context, volunteers)

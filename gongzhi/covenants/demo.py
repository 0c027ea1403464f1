"""The demo's covenants (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls ``seed``
after the bodies, meetings, volunteering and learning demos).

In the first community, drafted by its residents' council (the bodies demo's; else its first
body):

- 幸福社区居民公约 (pets, noise, parking, shared spaces, waste), in public consultation: residents
  comment on its articles and on single paragraphs (one comment written down by the worker for
  an elderly resident: 代办), propose amendments (replacing a paragraph, inserting one, deleting
  one) with their reasons, and support each other's;
- a building covenant (楼栋公约) for the building where most of the crowd lives, in force:
  drafted, consulted on and consolidated two months ago, ratified and filed with the street
  office, and acknowledged by about half of the building's households (one on paper, recorded
  by the worker).

The covenants, comments, amendments, supports, the consolidation and the acknowledgements go
through the parts' services, so permissions, the journal and the checks are as in real use. Dates
are data: a round is created with its phases ahead (nobody opens a consultation in the past),
then its dates are moved back to when they happened. The building covenant's ratification and
filing are written straight onto its round (the demo has no past ratification vote to point at).
People are picked by their place in the crowd, never by a row id, so the demo repeats itself.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Building, Membership, Oversight
from gongzhi.covenants import adoption_services, consult_services, revision_services, services
from gongzhi.covenants.models import (
    AmendmentKind,
    Article,
    Covenant,
    Round,
    RoundStatus,
    Scope,
    VersionKind,
)

COMMUNITY_TEXT = """本公约由全体居民共同商议制定，倡导邻里和睦、文明有序的社区生活。
第一条 宠物
遛狗须牵绳，及时清理宠物粪便。
犬只须依法登记并按时接种疫苗，大型犬不得进入儿童游乐区。
第二条 噪音
晚十时至次日早七时不得进行装修施工或大声喧哗。
广场舞等室外活动音量适中，晚九时前结束。
第三条 停车
机动车停放在划定车位内，不占用消防通道和盲道。
电动自行车不得进楼道、入户充电，统一在充电棚充电。
第四条 公共空间
楼道、屋顶等公共部位不堆放杂物，不私自占用或圈地种菜。
爱护公共设施，损坏的照价赔偿。
第五条 垃圾分类
生活垃圾分类投放，定时定点，不乱扔乱倒。
大件垃圾和装修垃圾预约清运，不得混入生活垃圾。
"""

BUILDING_TEXT = """第一条 楼道
楼道内不堆放杂物，保持消防通道畅通。
第二条 电梯
爱护电梯，搬运大件物品前告知楼长，做好保护。
第三条 安静
午间十二时至二时、晚十时后保持安静，装修提前在楼栋群里告知邻居。
"""

#: (article position, paragraph position, comment), from the crowd in turn; None: the article.
COMMENTS = [
    (1, 1, "建议写明遛狗的时间段，早晚高峰孩子多。"),
    (1, None, "养宠物的邻居也希望有个宠物活动区，能不能一起写进来？"),
    (2, 1, "周末早上七点有点早，建议改为八点。"),
    (2, 2, "广场舞音量要有个标准，比如不超过多少分贝。"),
    (3, 2, "充电棚数量不够，公约之外也请居委会增加充电桩。"),
    (4, 1, "圈地种菜的问题很普遍，希望给个整改期限。"),
    (5, None, "垃圾分类要有志愿者督导，光写在公约里不够。"),
    (5, 2, "装修垃圾清运的电话写在公约后面就好了。"),
]
#: (kind, article position, paragraph position, new text, reason, supporters)
AMENDMENTS = [
    (
        AmendmentKind.REPLACE,
        2,
        1,
        "晚十时至次日早七时、周末及节假日早八时前不得进行装修施工或大声喧哗。",
        "周末大家休息得晚，早上七点装修影响太大。",
        5,
    ),
    (
        AmendmentKind.INSERT_PARAGRAPH,
        1,
        2,
        "社区在中心花园一角设宠物活动区，养宠居民共同维护卫生。",
        "给宠物一个去处，比只写禁止更容易做到。",
        3,
    ),
    (
        AmendmentKind.DELETE_PARAGRAPH,
        4,
        2,
        "",
        "赔偿问题由物业服务合同约定，公约里写不清楚，建议删去。",
        1,
    ),
]


def _drafting_body(context: DemoContext) -> Body | None:
    bodies = Body.objects.in_community(context.community).filter(dissolved_at__isnull=True)
    return bodies.filter(kind=BodyKind.COUNCIL).order_by("pk").first() or (
        bodies.order_by("pk").first()
    )


def _dates(start_in: timedelta) -> services.Dates:
    now = timezone.now()
    day = timedelta(days=1)
    start = now + start_in
    return services.Dates(start, start + 7 * day, start + 21 * day, start + 35 * day)


def _move(round_: Round, **days_ago: int) -> None:
    """Move a round's dated phases back to when they happened."""
    now = timezone.now()
    Round.objects.in_community(round_.community_id).filter(pk=round_.pk).update(
        **{name: now - timedelta(days=n) for name, n in days_ago.items()}
    )
    round_.refresh_from_db()


def _keys(round_: Round) -> dict[tuple[int, int | None], tuple[int, int | None]]:
    """(article position, paragraph position or None) -> (article key, paragraph key)."""
    found: dict[tuple[int, int | None], tuple[int, int | None]] = {}
    for article in (
        Article.objects.in_community(round_.community_id)
        .filter(version_id=round_.draft_id)
        .prefetch_related("paragraphs")
    ):
        found[(article.position, None)] = (article.key, None)
        for paragraph in article.paragraphs.all():
            found[(article.position, paragraph.position)] = (article.key, paragraph.key)
    return found


def _community_covenant(context: DemoContext, body: Body) -> Covenant:
    worker, crowd = context.worker, context.crowd
    covenant = services.covenant_create(
        actor=worker,
        community=context.community,
        title="幸福社区居民公约",
        summary="宠物、噪音、停车、公共空间、垃圾分类",
        drafting_body=body,
        plain_text=COMMUNITY_TEXT,
        dates=_dates(timedelta(hours=1)),
    )
    round_ = Round.objects.in_community(covenant.community_id).get(covenant=covenant)
    # drafted over a week, in public consultation for six days now, for two weeks more
    _move(round_, drafting_starts=13, consultation_starts=6, revision_starts=-14, revision_ends=-28)
    keys = _keys(round_)
    people = crowd[: len(COMMENTS) + len(AMENDMENTS)]
    for n, (article, paragraph, text) in enumerate(COMMENTS):
        if n >= len(people):
            break
        a_key, p_key = keys[(article, paragraph)]
        helped = n == 2  # the worker writes an elderly neighbour's comment down (代办)
        consult_services.comment_add(
            actor=worker if helped else people[n],
            round=round_,
            article_key=a_key,
            paragraph_key=p_key,
            text=text,
            on_behalf_of=people[n] if helped else None,
        )
    authors = people[len(COMMENTS) :] or people
    if not authors:
        return covenant
    supporters = [p for p in crowd if p not in authors]
    for n, (kind, article, paragraph, text, reason, backing) in enumerate(AMENDMENTS):
        a_key, p_key = keys[(article, paragraph)]
        amendment = consult_services.amendment_propose(
            actor=authors[n % len(authors)],
            round=round_,
            kind=kind,
            article_key=a_key,
            paragraph_key=p_key,
            text=text,
            reason=reason,
        )
        for person in supporters[n : n + backing]:
            if person.pk != amendment.author_id:
                consult_services.support_add(actor=person, amendment=amendment)
    return covenant


def _building_with_the_crowd(context: DemoContext) -> Building | None:
    """The building where most of the crowd's households are."""
    row = (
        Membership.objects.in_community(context.community)
        .filter(user__in=context.crowd, household__isnull=False)
        .values("household__building")
        .annotate(n=Count("pk"))
        .order_by("-n", "household__building__name")
        .first()
    )
    if row is None:
        return None
    return Building.objects.in_community(context.community).get(pk=row["household__building"])


def _building_covenant(context: DemoContext, body: Body) -> Covenant | None:
    building = _building_with_the_crowd(context)
    if building is None:
        return None
    worker = context.worker
    covenant = services.covenant_create(
        actor=worker,
        community=context.community,
        title=f"{building.name}楼栋公约",
        summary="楼道、电梯、安静时段",
        scope=Scope.BUILDING,
        building=building,
        drafting_body=body,
        plain_text=BUILDING_TEXT,
        dates=_dates(timedelta(hours=1)),
    )
    round_ = Round.objects.in_community(covenant.community_id).get(covenant=covenant)
    _move(round_, drafting_starts=75, consultation_starts=68, revision_starts=54, revision_ends=47)
    adopted = revision_services.consolidate(actor=worker, round=round_)
    now = timezone.now()
    day = timedelta(days=1)
    adopted.kind = VersionKind.ADOPTED
    adopted.adopted_at = now - 40 * day
    adopted.save(update_fields=["kind", "adopted_at"])
    official = (
        Oversight.objects.filter(street_id=context.community.street_id)
        .order_by("user__phone")
        .values_list("user", flat=True)
        .first()
    )
    Round.objects.in_community(covenant.community_id).filter(pk=round_.pk).update(
        status=RoundStatus.IN_FORCE,
        ratified_at=now - 40 * day,
        filing_submitted_at=now - 38 * day,
        filing_submitted_by=worker,
        filing_received_at=now - 33 * day,
        filing_received_by=official,
        filing_reference="街道备〔2026〕7号",
        in_force_from=timezone.localdate() - 33 * day,
        published_at=now - 32 * day,
    )
    covenant.in_force = adopted
    covenant.save(update_fields=["in_force"])
    _acknowledge(context, covenant, building)
    return covenant


def _acknowledge(context: DemoContext, covenant: Covenant, building: Building) -> None:
    """About half of the building's households confirm, one member each; one of them on paper,
    recorded by the worker."""
    members = (
        Membership.objects.in_community(context.community)
        .filter(household__building=building, verified_at__isnull=False, user__in=context.crowd)
        .select_related("user")
    )
    by_household: dict[int | None, Any] = {}
    order = {person.pk: n for n, person in enumerate(context.crowd)}
    for membership in sorted(members, key=lambda m: order[m.user_id]):
        by_household.setdefault(membership.household_id, membership.user)
    people = list(by_household.values())
    for n, person in enumerate(people[: max(1, (len(people) + 1) // 2)]):
        paper = n == 1
        try:
            adoption_services.acknowledge(
                actor=context.worker if paper else person,
                covenant=covenant,
                on_behalf_of=person if paper else None,
            )
        except ValidationError:  # a household someone already confirmed for
            continue


def seed(context: DemoContext) -> None:
    body = _drafting_body(context)
    if body is None:
        return
    _community_covenant(context, body)
    _building_covenant(context, body)

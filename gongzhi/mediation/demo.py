"""The demo street's neighbour mediation, in the first community, after learning's (its mediators
hold learning's qualification): the people's mediation committee (a body, and its head named by
the worker), two mediators, and three cases run through the services, so the journal, the
notifications and the statistics are what real use makes:

- a noise case agreed, the agreement signed by both parties and the mediator and sealed, with a
  follow-up visit that found it performed in full;
- a leak case accepted, with one session whose notes both parties confirmed;
- a parking case a resident applied for against the property company, not yet accepted.

Every text is encrypted under the demo's ``MEDIATION_KEY`` (``demo.env``, written by
``gongzhi/demo_env.py``). The demo's worker registered none of them and sees none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core import qualifications as core_qualifications
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Membership, Role
from gongzhi.core.services import role_grant
from gongzhi.learning import qualifications
from gongzhi.mediation import proceedings, services


def _qualify(context: DemoContext, person: Any) -> None:
    today = timezone.localdate()
    if core_qualifications.missing(person, ["mediation"], today):
        qualifications.record_outside(
            actor=context.worker,
            community=context.community,
            person=person,
            code="mediation",
            valid_from=today - timedelta(days=400),
            valid_until=today + timedelta(days=700),
            evidence="区司法局人民调解员培训结业证书",
        )


def _mediators(context: DemoContext, crowd: list[Any]) -> list[Any]:
    """Three mediators, qualified: the community's (seed_demo gives three members the role on a
    large street); on a small one, the last of the crowd, given the role by the worker."""
    memberships = Membership.objects.in_community(context.community)
    people = [
        m.user
        for m in memberships.filter(role_grants__role=Role.MEDIATOR, verified_at__isnull=False)
        .select_related("user")
        .order_by("pk")
        .distinct()
    ][:3]
    # On a small street, residents who already serve (a council member, a reviewer…) take the
    # role before a plain resident does: roles stay a few people's, as on a real street.
    serving = [
        m.user
        for m in memberships.filter(verified_at__isnull=False, role_grants__isnull=False)
        .exclude(role_grants__role__in=[Role.COMMUNITY_WORKER, Role.SUPERVISOR])
        .exclude(user__in=people)
        .select_related("user")
        .order_by("pk")
        .distinct()
    ]
    for person in [*serving, *reversed(crowd)]:
        if len(people) == 3:
            break
        if person in people:
            continue
        _qualify(context, person)
        role_grant(
            actor=context.worker,
            community=context.community,
            membership=memberships.get(user=person),
            role=Role.MEDIATOR,
        )
        people.append(person)
    for person in people:
        _qualify(context, person)
    return people


def seed(context: DemoContext) -> None:
    community, worker = context.community, context.worker
    crowd = [p for p in context.crowd if p.pk != worker.pk]
    if len(crowd) < 8:
        return
    mediators = _mediators(context, crowd)
    head, first, second = mediators
    crowd = [p for p in crowd if p not in mediators]
    body = Body.objects.in_community(community).create(
        kind=BodyKind.MEDIATION_COMMITTEE,
        name="人民调解委员会",
        purpose="调解邻里纠纷，化解矛盾于基层。",
        created_by=worker,
    )
    services.committee_set(actor=worker, community=community, body=body, head=head)
    _agreed(crowd[0], crowd[1], head, first, community)
    _under_way(crowd[2], crowd[3], head, second, community)
    services.case_apply(
        actor=crowd[4],
        community=community,
        kind="parking",
        summary="地下车库我的固定车位经常被外来车辆占用，物业未予处理。",
        respondent_name="幸福物业服务有限公司",
    )


def _opened(applicant: Any, respondent: Any, head: Any, mediator: Any, community: Any, **kw: Any):
    case = services.case_apply(
        actor=applicant, community=community, respondent_phone=str(respondent.phone), **kw
    )
    services.party_consent(actor=respondent, case=case)
    services.case_accept(actor=head, case=case, mediators=[mediator])
    return case


def _agreed(applicant: Any, respondent: Any, head: Any, mediator: Any, community: Any) -> None:
    case = _opened(
        applicant,
        respondent,
        head,
        mediator,
        community,
        kind="noise",
        summary="楼上住户连续两周深夜十一点后装修、拖动家具，影响老人休息。",
    )
    sitting = proceedings.sitting_record(
        actor=mediator,
        case=case,
        held_at=timezone.now() - timedelta(hours=3),
        place="社区居委会调解室",
        notes="双方陈述情况。楼上住户承认装修时间安排不当，愿意调整。",
    )
    for person in (applicant, respondent):
        proceedings.notes_confirm(actor=person, sitting=sitting)
    agreement = proceedings.agreement_draft(
        actor=mediator,
        case=case,
        facts="楼上住户装修期间在夜间施工，影响楼下住户休息。",
        terms="楼上住户保证每日晚八点至次日早八点之间不进行装修施工，并向楼下住户致歉。",
        performance="即日起执行，装修结束前由社区调解员回访。",
        perform_by=timezone.localdate() + timedelta(days=30),
    )
    for person in (applicant, respondent):
        proceedings.agreement_sign(actor=person, agreement=agreement)
    proceedings.agreement_mediator_sign(actor=mediator, agreement=agreement)
    agreement.refresh_from_db()
    proceedings.agreement_seal(actor=head, agreement=agreement)
    case.refresh_from_db()
    proceedings.follow_up_record(
        actor=mediator,
        case=case,
        visited_on=timezone.localdate(),
        performance="full",
        notes="回访：夜间已无施工，楼下住户表示满意。",
    )


def _under_way(applicant: Any, respondent: Any, head: Any, mediator: Any, community: Any) -> None:
    case = _opened(
        applicant,
        respondent,
        head,
        mediator,
        community,
        kind="leak",
        summary="楼上卫生间漏水，我家厨房天花板发霉。",
    )
    sitting = proceedings.sitting_record(
        actor=mediator,
        case=case,
        held_at=timezone.now() - timedelta(hours=1),
        place="社区居委会调解室",
        notes="双方同意先请物业查明漏点，下次调解再商定维修费用。",
    )
    for person in (applicant, respondent):
        proceedings.notes_confirm(actor=person, sitting=sitting)

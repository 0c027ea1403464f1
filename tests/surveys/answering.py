"""A small survey for the answering tests: one section of each kind a resident meets, with skip
logic, built through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.surveys import services
from gongzhi.surveys.definition import Choice, Definition, Question, Section


def labels(zh: str, en: str) -> dict[str, str]:
    return {"zh-hans": zh, "en": en}


def agree_scale() -> list[Choice]:
    return [Choice(str(i), labels(f"{i}分", f"{i} points")) for i in range(1, 6)]


def definition(*, anonymous: bool = True, form_id: str = "neighbours") -> Definition:
    return Definition(
        form_id=form_id,
        version="1",
        title=labels("邻里调查", "Neighbours survey"),
        anonymous=anonymous,
        sections=[
            Section(
                "about",
                labels("关于您", "About you"),
                [
                    Question(
                        "years",
                        "integer",
                        labels("您在本社区住了几年？", "How many years have you lived here?"),
                        required=True,
                        minimum=0,
                        maximum=100,
                    ),
                    Question(
                        "owner",
                        "select_one",
                        labels("您是业主吗？", "Do you own your home?"),
                        required=True,
                        choices=[
                            Choice("yes", labels("是", "Yes")),
                            Choice("no", labels("否", "No")),
                        ],
                    ),
                    Question(
                        "landlord_ok",
                        "likert",
                        labels("房东是否及时维修？", "Does your landlord repair in time?"),
                        required=True,
                        relevant="${owner} = 'no'",
                        choices=agree_scale(),
                    ),
                ],
            ),
            Section(
                "views",
                labels("您的看法", "Your views"),
                [
                    Question(
                        "trust",
                        "matrix",
                        labels("您同意以下说法吗？", "Do you agree?"),
                        required=True,
                        choices=agree_scale(),
                        rows=[
                            Choice("help", labels("邻居愿意互相帮助", "Neighbours help")),
                            Choice("trust", labels("邻居值得信任", "Neighbours can be trusted")),
                        ],
                        randomise=True,
                    ),
                    Question(
                        "priorities",
                        "rank",
                        labels("请排序", "Rank these"),
                        choices=[
                            Choice("parking", labels("停车", "Parking")),
                            Choice("green", labels("绿化", "Greenery")),
                            Choice("lifts", labels("电梯", "Lifts")),
                        ],
                    ),
                    Question("comment", "text", labels("其他意见", "Anything else")),
                ],
                randomise=True,
            ),
        ],
    )


GOOD: dict[str, Any] = {
    "years": 12,
    "owner": "yes",
    "trust": {"help": "4", "trust": "5"},
    "priorities": ["lifts", "parking", "green"],
}


def open_survey(
    *, worker: Any, community: Any, anonymous: bool = True, form_id: str = "neighbours", **wave: Any
) -> tuple[Any, Any]:
    """A survey, opened, with one round running now (``wave`` overrides its fields)."""
    survey = services.survey_create(
        actor=worker,
        community=community,
        title="邻里调查",
        definition=definition(anonymous=anonymous, form_id=form_id),
    )
    services.survey_open(actor=worker, survey=survey)
    now = timezone.now()
    fields: dict[str, Any] = {
        "label": "基线",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=6),
        **wave,
    }
    return survey, services.wave_create(actor=worker, survey=survey, **fields)


def second_worker(community: Any) -> Any:
    """Another community worker, with two-factor login as staff pages require."""
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import TOTP_SECRET
    from tests.factories import member

    user = member(community, "community_worker")
    TOTP.activate(user, TOTP_SECRET)
    return user


def end_round(worker: Any, wave: Any) -> Any:
    """End a running round now: only a closed round's answers are read (``Wave.closed``)."""
    return services.wave_end(actor=worker, wave=wave)

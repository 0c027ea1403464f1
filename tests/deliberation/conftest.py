from __future__ import annotations

import pytest

from gongzhi.core.models import Role
from gongzhi.deliberation import services
from gongzhi.deliberation.models import DeliberationSettings
from tests.factories import member


@pytest.fixture
def small_threshold(community):
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=3
    )


@pytest.fixture
def proposal(community, resident, small_threshold):
    return services.proposal_create(
        actor=resident, community=community, title="在3号楼装电梯", body="老人上下楼太难了。"
    )


@pytest.fixture
def council(community):
    """A council member: a moderator without a staff role (so no two-factor login needed)."""
    return member(community, Role.COUNCIL_MEMBER)


@pytest.fixture
def writer(community):
    return member(community)


@pytest.fixture
def comment(proposal, writer):
    return services.comment_add(actor=writer, subject=proposal, body="楼上的住户都是骗子！")


@pytest.fixture(autouse=True)
def _in_english(client):
    """These tests read messages in English (the msgids); Chinese is checked in test_i18n."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield

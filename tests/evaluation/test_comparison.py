"""The comparisons between communities: the panel built from known rollups and interventions,
the estimate equal to did.did on the same panel, refusals with too few communities, the pages'
permissions and query counts, the factors page, and the event study's chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.evaluation import comparison, did, selectors
from gongzhi.evaluation.comparison import Design
from gongzhi.evaluation.estimate_chart import estimate_chart
from gongzhi.evaluation.models import IndicatorValue
from gongzhi.surveys import scales
from gongzhi.surveys.definition import Definition, Section
from gongzhi.surveys.models import Response, Survey, Wave
from tests.api_world import staff
from tests.evaluation.comparison_world import AFTER, BEFORE, EFFECT, KEY, Street, build, rate
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

SCALE = "collective_efficacy@1"


@pytest.fixture
def street(community, worker) -> Street:
    return build(community, worker)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def design(street: Street, treatment: str | None = None) -> Design:
    return Design(
        outcome=f"indicator:{KEY}",
        treatment=treatment or f"record:{street.record.pk}",
        split=street.split,
        before=BEFORE,
        after=AFTER,
    )


def run(street: Street, d: Design) -> comparison.Comparison:
    communities = comparison.street_communities(street.a)
    interventions = comparison.street_interventions(communities)
    data, result = comparison.compare(
        communities=communities, interventions=interventions, design=d
    )
    assert result is not None
    return result


# --- the panel --------------------------------------------------------------------------


def test_the_panel_holds_everyones_figures_of_the_window_in_percent(street):
    result = run(street, design(street))
    panel = result.panel
    a, b, c, d, e = street.communities
    assert panel.treated == [a]
    assert {x.pk for x in panel.controls} == {b.pk, c.pk, e.pk}  # e's training is another kind
    assert [(x.pk, why) for x, why in panel.excluded] == [
        (d.pk, gettext("had an intervention of the same kind in the window"))
    ]
    assert panel.months == street.months
    # Four communities × twelve months; the month before the window and the group rows unread.
    assert len(panel.rows) == 4 * (BEFORE + AFTER)
    by_key = {(r.community_id, r.month): r for r in panel.rows}
    for k, month in enumerate(street.months, start=1):
        row = by_key[(a.pk, month)]
        assert row.treated and row.post is (month >= street.split)
        assert row.y == pytest.approx(rate(0, k, month >= street.split))
        assert row.n == 200
        assert not by_key[(b.pk, month)].treated
    assert all(r.y < 90 for r in panel.rows)  # the 99 % group rows never came in


def test_a_suppressed_or_missing_month_is_left_out_not_read_as_zero(street):
    b = street.communities[1]
    IndicatorValue.objects.in_community(b).filter(key=KEY, group="", month=street.split).update(
        suppressed=True
    )
    panel = run(street, design(street)).panel
    assert (b.pk, street.split) not in {(r.community_id, r.month) for r in panel.rows}
    assert len(panel.rows) == 4 * (BEFORE + AFTER) - 1


def test_a_kind_treats_every_community_that_started_one_in_the_window(street):
    a, b, c, d, e = street.communities
    panel = run(street, design(street, "kind:programme")).panel
    assert {x.pk for x in panel.treated} == {a.pk, d.pk}
    assert {x.pk for x in panel.controls} == {b.pk, c.pk, e.pk}
    # A programme under way before the window opens: neither treated nor a control.
    street.late.started_on = selectors.add_months(street.months[0], -3)
    street.late.save()
    panel = run(street, design(street, "kind:programme")).panel
    assert [(x.pk, why) for x, why in panel.excluded] == [
        (d.pk, gettext("its intervention was under way before the window"))
    ]


# --- the estimate -------------------------------------------------------------------------


def test_the_estimate_is_did_on_the_same_panel_and_finds_the_effect(street):
    result = run(street, design(street))
    panel = result.panel
    y, treated, post = panel.column("y"), panel.column("treated"), panel.column("post")
    expected = did.did(y, treated, post, cluster=panel.cluster)
    assert result.result == expected
    assert result.result.se_kind == "cluster"
    assert result.result.clusters == 4
    assert result.hc1 == did.did(y, treated, post, se="hc1")
    assert result.classical == did.did(y, treated, post, se="classical")
    # A balanced panel: the regression's estimate is the difference of the 2×2 means.
    assert result.result.estimate == pytest.approx(result.naive)
    assert result.result.estimate == pytest.approx(EFFECT, abs=1.5)
    means = result.means
    a_before = np.mean([rate(0, k, False) for k in range(1, BEFORE + 1)])
    assert means[(True, False)].mean == pytest.approx(a_before)
    assert means[(True, False)].communities == 1
    assert means[(False, True)].communities == 3
    assert result.wild is not None and 0 <= result.wild.p_value <= 1
    assert result.event is not None and -1 not in result.event.periods
    # One community treated: the page says the interval cannot be trusted much.
    assert len(result.cautions) == 1


def test_too_few_communities_are_refused(community, worker):
    street = build(community, worker)
    # Only the treated community and one control keep figures.
    for c in street.communities[2:]:
        IndicatorValue.objects.in_community(c).all().delete()
    result = run(street, design(street))
    assert result.result is None and result.event is None
    assert result.refusal == gettext(
        "Only %(n)s communities have figures in the window; at least %(min)s are needed "
        "for an estimate with an honest interval."
    ) % {"n": 2, "min": comparison.MIN_COMMUNITIES}
    assert result.means[(True, True)].mean is not None  # the means are still shown


def test_no_controls_is_refused(street):
    for c in street.communities[1:]:
        c.delete()
    result = run(street, design(street))
    assert result.result is None
    assert result.refusal == gettext(
        "Every community of the street had an intervention of this kind in the window: "
        "there is nothing to compare with."
    )


# --- the pages ----------------------------------------------------------------------------


def did_url(street: Street, **params: str) -> str:
    url = reverse("evaluation_did", args=[street.a.slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.mark.parametrize(
    ("who", "status"),
    [("worker", 200), ("supervisor", 200), ("official", 200), ("resident", 404), ("outsider", 404)],
)
def test_who_sees_the_comparison_pages(street, request, who, status):
    user = request.getfixturevalue(who)
    assert client_for(user).get(did_url(street)).status_code == status
    factors = reverse("evaluation_factors", args=[street.a.slug])
    assert client_for(user).get(factors).status_code == status


def test_a_worker_of_another_street_sees_nothing(street, other_community):
    stranger = staff(other_community, "community_worker")
    assert client_for(stranger).get(did_url(street)).status_code == 404


def test_a_worker_of_a_neighbour_compares_from_their_own_community(street):
    b = street.communities[1]
    neighbour = staff(b, "community_worker")
    page = client_for(neighbour).get(reverse("evaluation_did", args=[b.slug]))
    assert page.status_code == 200
    # Their default: the street's latest intervention (they have none), with their community
    # among the controls.
    assert b.name in page.content.decode()


def test_the_page_shows_the_estimate_the_means_and_the_event_study(
    street, worker, django_assert_max_num_queries
):
    client = client_for(worker)
    with django_assert_max_num_queries(12):
        response = client.get(did_url(street))
    assert response.status_code == 200
    page = response.content.decode()
    result = response.context["result"]
    assert result.design.treatment == f"record:{street.record.pk}"
    assert result.design.split == street.split
    points = f"{result.result.estimate:+.2f}"
    assert gettext("%(points)s percentage points") % {"points": points} in page
    assert gettext("Cluster-robust, by community (the default)") in page
    assert gettext("Wild cluster bootstrap (Webb weights)") in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert gettext("What this shows, and what it does not") in page
    assert "elderly" not in page and "99" not in re.sub(r"\d{3,}", "", page.split("<form")[0])
    assert street.communities[3].name in page  # left out, and why


def test_the_page_refuses_in_words_with_too_few_communities(community, worker):
    street = build(community, worker)
    for c in street.communities[2:]:
        c.delete()
    page = client_for(worker).get(did_url(street)).content.decode()
    assert gettext("The estimate") in page
    assert "at least 3" in page or str(comparison.MIN_COMMUNITIES) in page
    assert gettext("Cluster-robust, by community (the default)") not in page


def test_a_bad_month_is_said_in_words(street, worker):
    response = client_for(worker).get(did_url(street, split="2026-13x"))
    assert response.status_code == 200
    assert response.context["result"] is None
    assert gettext("Give the month as YYYY-MM, for example 2026-03.") in response.content.decode()


def test_the_dashboard_links_the_comparisons(street, worker):
    page = client_for(worker).get(reverse("evaluation_dashboard", args=[street.a.slug]))
    assert did_url(street) in page.content.decode()


# --- what explains differences ------------------------------------------------------------


def test_factors_regress_the_windows_mean_on_attributes(street, worker):
    for n in range(3):  # three more communities, so that one attribute leaves room
        c = CommunityFactory(street=street.a.street, name=f"社区F{n}")
        IndicatorValue.objects.create(
            community=c, key=KEY, month=street.months[-1], numerator=1, denominator=4, value=0.25
        )
    url = reverse("evaluation_factors", args=[street.a.slug])
    response = client_for(worker).get(
        url,
        {
            "indicator": KEY,
            "start": f"{street.months[0]:%Y-%m}",
            "end": f"{street.months[-1]:%Y-%m}",
            "factors": ["interventions"],
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result is not None and result.n == 8
    table = response.context["table"]
    a_row = table.rows[[c.pk for c in table.communities].index(street.a.pk)]
    assert a_row["outcome"] == pytest.approx(
        np.mean([rate(0, k, k > BEFORE) for k in range(1, BEFORE + AFTER + 1)])
    )
    assert a_row["interventions"] == 1.0
    page = response.content.decode()
    assert str(comparison.FACTORS["interventions"]) in page
    for caveat in result.caveats:
        assert caveat in page


def test_factors_refuse_with_too_few_communities(street, worker):
    url = reverse("evaluation_factors", args=[street.a.slug])
    response = client_for(worker).get(url, {"factors": ["verified", "elderly_share"]})
    assert response.context["result"] is None
    assert response.context["refusal"]
    assert response.context["refusal"] in response.content.decode()


# --- the chart ----------------------------------------------------------------------------


def test_the_event_study_chart_is_svg_with_escaped_text_and_no_styles():
    svg = estimate_chart(
        periods=[-3, -2, 0, 1, 2],
        estimates=[0.5, -0.2, 3.0, 4.0, 5.0],
        ci_low=[-1.0, -1.5, 1.0, 2.0, 3.0],
        ci_high=[2.0, 1.1, 5.0, 6.0, 7.0],
        title="<参与率>",
        start_label="开始",
        axis_label="距开始的月数",
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it
    assert root.get("role") == "img" and root.get("aria-label") == "<参与率>"
    assert "style=" not in svg
    # Five estimates and the reference month: six points; five whiskers.
    assert svg.count("<circle") == 6
    assert len(re.findall(r'<line x1="([\d.]+)" x2="\1"', svg)) >= 5


# --- a survey scale as the outcome ----------------------------------------------------------


def _answers(target: int) -> dict:
    """Every item of the collective-efficacy scale answered so that its score is ``target``
    (a reverse-keyed item ticked at 6 − target)."""
    scale = scales.get(SCALE)
    reverse = {item.key for item in scale.items if item.reverse}
    return {
        grid.name: {
            row.name: str(6 - target if row.name in reverse else target) for row in grid.rows
        }
        for grid in scales.matrix_questions(SCALE)
    }


def _wave(community, worker, definition, opens, targets: list[int], position: int) -> None:
    survey, _new = Survey.objects.get_or_create(
        community=community,
        form_id="ce",
        version="1",
        defaults={
            "title": "集体效能调查",
            "definition": definition.to_dict(),
            "status": "open",
            "created_by": worker,
        },
    )
    at = timezone.make_aware(datetime.combine(opens.replace(day=3), time(9)))
    wave = Wave.objects.create(
        community=community,
        survey=survey,
        position=position,
        label="第一轮",
        opens_at=at,
        closes_at=at + timedelta(days=14),
        created_by=worker,
    )
    for target in targets:
        Response.objects.create(community=community, wave=wave, answers=_answers(target))


def test_a_survey_scale_compares_round_means(street, worker):
    definition = Definition(
        form_id="ce",
        version="1",
        title={"zh-hans": "集体效能", "en": "Collective efficacy"},
        sections=[
            Section("ce", {"zh-hans": "看法", "en": "Views"}, scales.matrix_questions(SCALE))
        ],
    )
    before, after = selectors.add_months(street.split, -3), selectors.add_months(street.split, 1)
    a, b, c, d, e = street.communities
    _wave(a, worker, definition, before, [3] * 5, 1)
    _wave(a, worker, definition, after, [4] * 5, 2)
    for control, step in ((b, 0), (c, 1), (e, 0)):
        _wave(control, worker, definition, before, [3] * 5, 1)
        _wave(control, worker, definition, after, [3] * 4 + [4 + step], 2)
    _wave(c, worker, definition, street.split, [5] * 4, 3)  # four answers: too few, left out
    d_design = Design(
        outcome=f"survey:{SCALE}", treatment=f"record:{street.record.pk}", split=street.split
    )
    result = run(street, d_design)
    assert result.outcome.label == scales.get(SCALE).names["zh-hans"]
    panel = result.panel
    got = sorted((r.community_id, r.month, round(r.y, 9), r.n) for r in panel.rows)
    assert got == sorted(
        [
            (a.pk, before, 3.0, 5),
            (a.pk, after, 4.0, 5),
            (b.pk, before, 3.0, 5),
            (b.pk, after, 3.2, 5),
            (c.pk, before, 3.0, 5),
            (c.pk, after, 3.4, 5),
            (e.pk, before, 3.0, 5),
            (e.pk, after, 3.2, 5),
        ]
    )
    assert result.result is not None
    assert result.result.estimate == pytest.approx(1.0 - (0.2 + 0.4 + 0.2) / 3)
    y, treated, post = panel.column("y"), panel.column("treated"), panel.column("post")
    assert result.result == did.did(y, treated, post, cluster=panel.cluster)


# --- the API --------------------------------------------------------------------------------


def test_the_api_gives_the_pages_comparison(street, worker, resident):
    token = api_token_create(user=worker, name="test")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/communities/{street.a.slug}/comparisons/did"
    response = client.get(url, {"before": BEFORE, "after": AFTER})
    assert response.status_code == 200, response.content
    body = response.json()
    expected = run(street, design(street))
    assert body["treatment"] == f"record:{street.record.pk}"
    assert body["split"] == f"{street.split:%Y-%m}"
    assert body["estimate"]["estimate"] == expected.result.estimate
    assert body["estimate"]["se_kind"] == "cluster"
    assert body["hc1"]["se"] == expected.hc1.se
    assert body["n"] == 4 * (BEFORE + AFTER) and body["communities"] == 4
    assert [c["slug"] for c in body["excluded"]] == [street.communities[3].slug]
    assert -1 not in [e["period"] for e in body["event_study"]]
    bad = client.get(url, {"split": "2026-13"})
    assert bad.status_code == 400
    assert gettext("Give the month as YYYY-MM, for example 2026-03.") in bad.json()["message"]
    outsider_token = api_token_create(user=resident, name="test")[1]
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {outsider_token}").get(url)
    assert refused.status_code == 404


@pytest.mark.parametrize("split", ["9999-12", "0001-01"])
def test_a_month_at_the_calendars_edge_is_refused_in_words_not_a_server_error(
    street, worker, split
):
    """A window of months around year 9999 (or year 1) ran past the calendar: a 500, page and
    API alike. Now such a month is not a month the form takes."""
    page = client_for(worker).get(did_url(street, split=split, before="12", after="24"))
    assert page.status_code == 200
    assert page.context["result"] is None
    token = api_token_create(user=worker, name="test")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/communities/{street.a.slug}/comparisons/did"
    assert client.get(url, {"split": split, "before": 12, "after": 24}).status_code == 400

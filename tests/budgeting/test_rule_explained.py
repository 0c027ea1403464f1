"""The budget pages explain their counting rule in plain words, link to the method, and name no
city: where a rule is used says nothing of how it works, and a resident reads it as jargon."""

from __future__ import annotations

import re

import pytest
from django.test import TestCase
from django.urls import reverse

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Rule
from tests.budgeting.helpers import make_process, project, set_phase
from tests.factories import member

# Whole words of the page's text: a random token in an attribute (the CSRF token) once spelled
# "LODZ" and failed a CI run.
CITIES = re.compile(
    r"\b(?:Krak[oó]w|Warsaw|Warszaw\w*|Wieliczk\w*|Katowic\w*|Gda[nń]sk|Cz[eę]stochow\w*"
    r"|Wroc[lł]aw|[LŁ][oó]d[zź]|Pozna[nń]|Lublin)\b|克拉科夫|华沙|维利奇卡|卡托维兹|格但斯克",
    re.IGNORECASE,
)


def page_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


LINKS = {
    "greedy": "https://en.wikipedia.org/wiki/Participatory_budgeting_algorithm",
    "greedy-points": "https://en.wikipedia.org/wiki/Participatory_budgeting_algorithm",
    "phragmen": "https://en.wikipedia.org/wiki/Phragmen%27s_voting_rules",
}


def rule_section(page: str) -> str:
    return page.split('id="rule-explained"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("rule", [r.value for r in Rule])
@pytest.mark.django_db
def test_the_process_page_explains_its_rule_with_a_link(client, community, worker, rule):
    process = make_process(community, worker, "ideas", rule=rule)
    page = client.get(reverse("budget_detail", args=[community.slug, process.pk])).content.decode()
    section = rule_section(page)
    link = LINKS.get(rule, "https://equalshares.net/")
    assert f'href="{link}"' in section
    # Words, not only a name: the explanation is a sentence or more.
    text = re.sub(r"<[^>]+>", "", section)
    assert len(text.strip()) > 60
    assert not CITIES.search(page_text(page)), CITIES.search(page_text(page))


@pytest.mark.django_db
def test_the_results_page_explains_its_rule(client, community, worker):
    process = make_process(
        community, worker, "voting", rule="mes-add1", budget=100, ballot_type="approval"
    )
    projects = [project(process, 60, f"p{i}") for i in range(3)]
    services.ballot_cast(actor=member(community), process=process, projects=[projects[0].pk])
    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.tally_request(actor=worker, process=process)
    page = client.get(reverse("budget_results", args=[community.slug, process.pk])).content
    page = page.decode()
    assert 'href="https://equalshares.net/"' in rule_section(page)
    assert not CITIES.search(page_text(page))

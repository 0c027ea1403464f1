"""The demo street's content is registered by each app (``manifest.DEMO``), not known by core:
every app with demo content is there, in the order that makes the same seed give the same demo."""

from __future__ import annotations

from django.utils.module_loading import import_string

from gongzhi.core.demo import DemoContent, demo_contents


def test_every_app_registers_its_demo_content_in_order():
    registered = demo_contents()
    # Proposals first (the hotline's tickets and the notices speak of them); the votes, the
    # budget and the conversation draw from one random stream in this order.
    assert [key for key, _content in registered] == [
        "deliberation",
        "voting",
        "budgeting",
        "opinions",
        "feedback",
        "disclosure",
        "surveys",  # a collective-efficacy survey's rounds, answered by the same crowd
        "evaluation",  # two years of history for the people every other seeder made
        "bodies",  # after: its bodies, terms and panels are dated today, not in that history
        "meetings",  # the bodies' council and committee meet
        "volunteering",  # teams and shifts of the same crowd; the council approves honours
        "learning",  # courses for the same crowd; the invited chair chairs the bodies' meetings
        "covenants",  # the council drafts the residents' covenant; the crowd comments on it
        "mediation",  # its mediators hold learning's qualification; cases among the crowd
        "spaces",  # its hall and garden managed by a body; two years of bookings
    ]
    for key, content in registered:
        assert isinstance(content, DemoContent)
        assert content.seed.startswith(f"gongzhi.{key}.demo.")
        assert callable(import_string(content.seed))

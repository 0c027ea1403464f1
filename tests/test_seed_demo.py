"""The demo street: believable, seeded once, and never at the expense of real data: the command
refuses production settings and a database holding what the demo did not create, and --force
deletes nothing (the journal and the ledger are append-only).

The street itself, seeded, and what --force does to it: tests/test_demo_street.py, which seeds it
once for every test that needs it. Here: the refusals, on a database without the demo."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.accounts.models import User
from gongzhi.core.models import Community, District
from tests.factories import CommunityFactory, UserFactory


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_that_holds_real_people():
    # Even with the number of a demo account, a person the demo did not create is real.
    real = UserFactory(phone="+8613900000001")
    with pytest.raises(CommandError, match="1 account\\(s\\) that the demo did not create"):
        call_command("seed_demo", residents=30, quiet=True, stdout=io.StringIO())
    assert User.objects.get(pk=real.pk).phone == "+8613900000001"
    assert not District.objects.filter(slug="demo").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_with_other_communities():
    community = CommunityFactory(slug="yuanlai")
    with pytest.raises(CommandError, match="community yuanlai") as refused:
        call_command("seed_demo", residents=30, force=True, quiet=True, stdout=io.StringIO())
    assert "fresh data directory" in str(refused.value)
    assert Community.objects.get(pk=community.pk)
    assert not District.objects.filter(slug="demo").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production settings"):
        call_command("seed_demo", residents=30, quiet=True, stdout=io.StringIO())
    assert not User.objects.exists()

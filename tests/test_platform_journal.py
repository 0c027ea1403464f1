"""Acts above the communities (districts, streets, communities, street officials, platform
admins) go through services into the platform journal, also from the admin site; the admin
offers no other write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from gongzhi.accounts.models import ApiToken, User
from gongzhi.accounts.services import api_token_create
from gongzhi.core import journal, services
from gongzhi.core.models import (
    AppendOnlyError,
    Community,
    District,
    Membership,
    Oversight,
    PlatformActivity,
    Street,
)
from gongzhi.core.policies import access_of
from tests.factories import StreetFactory, UserFactory, member
from tests.test_journal import _Buffer


def verbs() -> list[str]:
    return list(PlatformActivity.objects.order_by("seq").values_list("verb", flat=True))


@pytest.mark.django_db
def test_places_are_created_through_services_and_journalled(admin_user):
    district = services.district_create(actor=admin_user, name="示范区", slug="demo-d")
    street = services.street_create(actor=admin_user, district=district, name="和平街道", slug="hp")
    community = services.community_create(
        actor=admin_user, street=street, name="幸福社区", slug="xf", description="运河边"
    )
    assert verbs() == ["district.created", "street.created", "community.created"]
    entry = PlatformActivity.objects.get(verb="community.created")
    assert entry.actor == admin_user and entry.target_id == str(community.pk)
    assert entry.data == {"name": "幸福社区", "slug": "xf", "street": street.pk}
    assert journal.verify_platform() is None
    services.community_update(
        actor=admin_user, community=community, name="幸福社区", description="新的介绍"
    )
    assert verbs()[-1] == "community.updated"
    assert Community.objects.get(pk=community.pk).description == "新的介绍"


@pytest.mark.django_db
def test_only_a_platform_admin_creates_places(official, worker):
    street = StreetFactory()
    for person in (official, worker):
        with pytest.raises(PermissionDenied):
            services.community_create(actor=person, street=street, name="x", slug="x")
    assert not Community.objects.filter(slug="x").exists()
    assert verbs() == []


@pytest.mark.django_db
def test_a_bad_slug_or_a_taken_one_is_a_validation_error(admin_user, community):
    for slug in ("has space", community.slug):
        with pytest.raises(ValidationError):
            services.community_create(
                actor=admin_user, street=community.street, name="x", slug=slug
            )
    assert verbs() == []


@pytest.mark.django_db
def test_officials_are_appointed_and_removed_journalled(admin_user, community):
    person = UserFactory()
    oversight = services.oversight_grant(actor=admin_user, user=person, street=community.street)
    assert community.pk in access_of(person).overseen
    services.oversight_revoke(actor=admin_user, oversight=oversight)
    assert not Oversight.objects.filter(user=person).exists()
    assert community.pk not in access_of(person).overseen
    assert verbs() == ["oversight.granted", "oversight.revoked"]
    assert PlatformActivity.objects.get(verb="oversight.revoked").data == {
        "user": person.pk,
        "street": community.street_id,
        "district": None,
    }


@pytest.mark.django_db
def test_nobody_appoints_or_removes_themselves(admin_user, community):
    with pytest.raises(ValidationError) as error:
        services.oversight_grant(actor=admin_user, user=admin_user, street=community.street)
    assert error.value.code == "own_appointment"
    for act in (services.platform_admin_revoke, services.platform_admin_grant):
        with pytest.raises(ValidationError) as error:
            act(actor=admin_user, user=admin_user)
        assert error.value.code == "own_appointment"
    assert verbs() == []


@pytest.mark.django_db
def test_platform_admins_are_made_by_another(admin_user):
    person = UserFactory()
    assert services.platform_admin_grant(actor=admin_user, user=person)
    person.refresh_from_db()
    assert person.is_superuser and person.is_staff
    assert not services.platform_admin_grant(actor=admin_user, user=person)  # already
    assert services.platform_admin_revoke(actor=admin_user, user=person)
    person.refresh_from_db()
    assert not person.is_superuser and not person.is_staff
    assert verbs() == ["platform_admin.granted", "platform_admin.revoked"]
    with pytest.raises(PermissionDenied):
        services.platform_admin_grant(actor=person, user=UserFactory())


@pytest.mark.django_db
def test_the_console_appoints_the_first_admin(admin_user):
    person = UserFactory()
    out = _Buffer()
    call_command("platform_admin", person.phone, stdout=out)
    person.refresh_from_db()
    assert person.is_superuser and "is now a platform admin" in out.text
    entry = PlatformActivity.objects.get()
    assert entry.verb == "platform_admin.granted" and entry.actor is None
    call_command("platform_admin", person.phone, "--revoke", stdout=_Buffer())
    person.refresh_from_db()
    assert not person.is_superuser
    with pytest.raises(CommandError):
        call_command("platform_admin", "13000000000", stdout=_Buffer())


@pytest.mark.django_db
def test_the_platform_journal_is_chained_and_tamper_evident(admin_user):
    district = services.district_create(actor=admin_user, name="区", slug="d1")
    for i in range(3):
        services.street_create(actor=admin_user, district=district, name=f"街{i}", slug=f"s{i}")
    assert [e.seq for e in PlatformActivity.objects.order_by("seq")] == [1, 2, 3, 4]
    out = _Buffer()
    call_command("journal_verify", stdout=out)
    assert "ok platform entries=4" in out.text
    entry = PlatformActivity.objects.get(seq=2)
    with pytest.raises(AppendOnlyError):
        entry.delete()
    PlatformActivity.objects.filter(seq=2).update(data={"name": "改过"})
    assert journal.verify_platform().seq == 2
    with pytest.raises(CommandError):
        call_command("journal_verify", stdout=(out := _Buffer()))
    assert "BROKEN platform seq=2" in out.text


@pytest.mark.django_db
def test_the_platform_journal_rotates_its_key_too(admin_user, settings):
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID, settings.JOURNAL_RETIRED_KEYS = "a" * 50, "1", {}
    services.district_create(actor=admin_user, name="区", slug="d1")
    settings.JOURNAL_KEY, settings.JOURNAL_KEY_ID = "b" * 50, "2"
    settings.JOURNAL_RETIRED_KEYS = {"1": "a" * 50}
    call_command("journal_rotate_key", stdout=_Buffer())
    assert verbs() == ["district.created", journal.ROTATION_VERB, "journal.keys_rotated"]
    assert journal.platform_head()[2] == "2"
    services.district_create(actor=admin_user, name="区2", slug="d2")
    assert journal.verify_platform() is None
    settings.JOURNAL_RETIRED_KEYS = {}
    assert journal.verify_platform().unknown_key == "1"


# --- The admin site -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_adding_a_community_in_the_admin_goes_through_the_service(admin_client):
    street = StreetFactory()
    response = admin_client.post(
        reverse("admin:core_community_add"),
        {"street": street.pk, "name": "新社区", "slug": "xin", "description": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    community = Community.objects.get(slug="xin")
    assert PlatformActivity.objects.get(verb="community.created").target_id == str(community.pk)
    # Renaming goes through the service too; the slug stays.
    response = admin_client.post(
        reverse("admin:core_community_change", args=[community.pk]),
        {"name": "新名字", "description": "介绍"},
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.name, community.slug) == ("新名字", "xin")
    assert verbs()[-1] == "community.updated"


@pytest.mark.django_db
def test_adding_streets_and_districts_in_the_admin_is_journalled(admin_client):
    admin_client.post(reverse("admin:core_district_add"), {"name": "区", "slug": "qu"})
    district = District.objects.get(slug="qu")
    admin_client.post(
        reverse("admin:core_street_add"), {"district": district.pk, "name": "街", "slug": "jie"}
    )
    assert Street.objects.filter(slug="jie").exists()
    assert verbs() == ["district.created", "street.created"]


@pytest.mark.django_db
def test_appointing_an_official_in_the_admin(admin_client, admin_user, community):
    person = UserFactory()
    url = reverse("admin:core_oversight_add")
    response = admin_client.post(url, {"user": person.pk, "street": community.street_id})
    assert response.status_code == 302
    oversight = Oversight.objects.get(user=person)
    # Not oneself: the form says why.
    response = admin_client.post(url, {"user": admin_user.pk, "street": community.street_id})
    assert response.status_code == 200
    with translation.override("zh-hans"):
        why = str(
            translation.gettext(
                "Nobody can appoint or remove themselves: ask another platform administrator."
            )
        )
    assert why in response.content.decode()
    assert not Oversight.objects.filter(user=admin_user).exists()
    # Removing goes through the service.
    response = admin_client.post(
        reverse("admin:core_oversight_delete", args=[oversight.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Oversight.objects.filter(pk=oversight.pk).exists()
    assert verbs() == ["oversight.granted", "oversight.revoked"]


@pytest.mark.django_db
def test_the_admin_offers_no_other_writes(admin_client, community, resident):
    membership = Membership.objects.in_community(community).get(user=resident)
    forbidden = [
        reverse("admin:core_membership_delete", args=[membership.pk]),
        reverse("admin:core_membership_add"),
        reverse("admin:core_community_delete", args=[community.pk]),
        reverse("admin:core_street_delete", args=[community.street_id]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_delete", args=[resident.pk]),
        reverse("admin:core_activity_add"),
        reverse("admin:core_platformactivity_add"),
    ]
    for url in forbidden:
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, url
    assert Membership.objects.in_community(community).filter(pk=membership.pk).exists()
    # A change form posts nothing: is_superuser cannot be ticked on oneself or anyone.
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[resident.pk]),
        {"is_superuser": "on", "is_staff": "on", "display_name": "x"},
    )
    assert response.status_code == 403
    resident.refresh_from_db()
    assert not resident.is_superuser and not resident.is_staff
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200


@pytest.mark.django_db
def test_user_admin_actions_go_through_the_services(admin_client, admin_user):
    person = UserFactory()
    url = reverse("admin:accounts_user_changelist")
    admin_client.post(
        url,
        {"action": "grant_platform_admin", "_selected_action": [person.pk, admin_user.pk]},
    )
    person.refresh_from_db()
    assert person.is_superuser
    assert verbs() == ["platform_admin.granted"]  # not for oneself
    admin_client.post(url, {"action": "deactivate", "_selected_action": [person.pk]})
    person.refresh_from_db()
    assert not person.is_active
    assert verbs()[-1] == "user.deactivated"


@pytest.mark.django_db
def test_revoking_a_token_in_the_admin_is_journalled(admin_client, resident):
    token, _raw = api_token_create(user=resident, name="phone")
    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert PlatformActivity.objects.get().data == {"user": resident.pk}


@pytest.mark.django_db
def test_the_admin_actions_are_for_platform_admins_only(client, community):
    staff = UserFactory(is_staff=True)
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import TOTP_SECRET

    TOTP.activate(staff, TOTP_SECRET)
    client.force_login(staff)
    person = member(community)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "grant_platform_admin", "_selected_action": [person.pk]},
    )
    assert not User.objects.get(pk=person.pk).is_superuser
    assert verbs() == []

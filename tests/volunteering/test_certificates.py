"""Certificates: signing keys (made on demand, rotated, encrypted at rest), issuing (who may,
what counts, the number), revocation when hours are reversed."""

from __future__ import annotations

import threading
import warnings
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import KeySet

from gongzhi.core.masking import mask_name
from gongzhi.core.models import Activity, Role
from gongzhi.volunteering import certificate_selectors, certificates, credentials
from gongzhi.volunteering.models import (
    Certificate,
    HoursEntry,
    HoursEntryKind,
    SigningKey,
    VolunteeringSettings,
)
from tests.factories import member
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of


@pytest.fixture
def issuer(community):
    return VolunteeringSettings.objects.create(
        community=community, issuer_name="花园社区居民委员会", responsible_name="李主任"
    )


def served(community, worker, volunteer, *, minutes=90, days_ago=10, title="周末花园除草"):
    activity = activity_of(community, worker, title=title)
    shift = shift_of(activity, starts_in=-timedelta(days=days_ago))
    return entry_of(signup_of(shift, volunteer), worker, minutes=minutes)


def reverse(entry, by, reason="记错了时间"):
    reversal = HoursEntry.objects.create(
        community=entry.community,
        kind=HoursEntryKind.REVERSAL,
        volunteer=entry.volunteer,
        activity=entry.activity,
        team=entry.team,
        shift=entry.shift,
        served_on=entry.served_on,
        served_minutes=-entry.served_minutes,
        credited_minutes=-entry.credited_minutes,
        reverses=entry,
        reason=reason,
        confirmed_by=by,
    )
    certificates.on_entry_reversed(entry=entry, reversal=reversal)
    return reversal


def _year():
    today = timezone.localdate()
    return date(today.year - 1, 1, 1), today


def issue(worker, volunteer, **kwargs):
    start, end = _year()
    return certificates.certificate_issue(
        actor=worker,
        volunteer=volunteer,
        period_from=kwargs.pop("period_from", start),
        period_to=kwargs.pop("period_to", end),
        **kwargs,
    )


def _joserfc(token, key_set):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return joserfc_jwt.decode(token, KeySet.import_key_set(key_set), algorithms=["EdDSA"])


def test_a_worker_issues_a_certificate_that_verifies_with_the_published_keys(
    community, worker, issuer
):
    volunteer = volunteer_of(community)
    first = served(community, worker, volunteer, minutes=90)
    second = served(community, worker, volunteer, minutes=60, days_ago=20, title="助老陪诊")
    served(community, worker, volunteer_of(community), minutes=120)  # someone else's

    certificate = issue(worker, volunteer, holder_id_masked="110***********1234")

    assert certificate.credited_minutes == 150
    assert set(certificate.entries.all()) == {first, second}
    assert certificate.content == "助老陪诊；周末花园除草"
    assert certificate.number == f"{community.slug.upper()}-{timezone.localdate().year}-000001"
    assert (certificate.issuer_name, certificate.responsible_name) == (
        "花园社区居民委员会",
        "李主任",
    )
    assert certificate.handler == worker and certificate.handler_name == worker.display_name
    assert certificate.holder_name == volunteer.person.display_name

    key_set = certificate_selectors.jwks_of(community)
    claims = _joserfc(certificate.credential, key_set).claims
    subject = claims["credentialSubject"]
    assert subject["certificateNumber"] == certificate.number
    assert subject["serviceHours"] == "2.5"
    assert subject["name"] == mask_name(volunteer.person.display_name)
    assert subject["identifier"] == "110***********1234"
    assert claims["jti"] == f"urn:uuid:{certificate.token}"
    assert claims["credentialStatus"]["id"].endswith(
        f"/c/{community.slug}/volunteering/certificates/verify/{certificate.token}/"
    )
    assert Activity.objects.filter(verb="certificate.issued", community=community).count() == 1


def test_numbers_run_per_community_and_year(community, other_community, worker, issuer):
    volunteer = volunteer_of(community)
    served(community, worker, volunteer)
    numbers = [issue(worker, volunteer).number for _i in range(3)]
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]
    assert len(set(numbers)) == 3


def test_nobody_issues_their_own_certificate(community, worker, issuer):
    own = volunteer_of(community, worker)
    served(community, member(community, Role.COMMUNITY_WORKER), own)
    with pytest.raises(ValidationError) as refused:
        issue(worker, own)
    assert refused.value.code == "own_certificate"
    assert not Certificate.objects.in_community(community).exists()


@pytest.mark.parametrize("who", ["resident", "supervisor", "outsider", "the volunteer"])
def test_only_workers_issue(community, worker, issuer, resident, supervisor, outsider, who):
    volunteer = volunteer_of(community)
    served(community, worker, volunteer)
    actor = {
        "resident": resident,
        "supervisor": supervisor,
        "outsider": outsider,
        "the volunteer": volunteer.person,
    }[who]
    with pytest.raises(PermissionDenied):
        issue(actor, volunteer)
    assert not Certificate.objects.in_community(community).exists()


def test_no_hours_and_no_issuer_are_refused_with_translated_messages(community, worker):
    volunteer = volunteer_of(community)
    served(community, worker, volunteer)
    with pytest.raises(ValidationError) as missing:
        issue(worker, volunteer)
    assert missing.value.code == "issuer_missing"

    VolunteeringSettings.objects.create(
        community=community, issuer_name="居委会", responsible_name="李"
    )
    start, end = _year()
    with pytest.raises(ValidationError) as none:
        issue(worker, volunteer, period_from=end, period_to=end)  # served 10 days ago
    assert none.value.code == "no_hours"
    with pytest.raises(ValidationError) as backwards:
        issue(worker, volunteer, period_from=end, period_to=start)
    assert backwards.value.code == "bad_period"
    with pytest.raises(ValidationError) as unmasked:
        issue(worker, volunteer, holder_id_masked="110101199001011234")
    assert unmasked.value.code == "id_not_masked"

    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as chinese:
        issue(worker, volunteer, period_from=end, period_to=end)
    with translation.override("en"), pytest.raises(ValidationError) as english:
        issue(worker, volunteer, period_from=end, period_to=end)
    assert "no confirmed hours" in english.value.messages[0]
    assert chinese.value.code == "no_hours"
    assert not Certificate.objects.in_community(community).exists()


def test_reversed_and_zero_credit_entries_do_not_count(community, worker, issuer):
    volunteer = volunteer_of(community)
    reverse(served(community, worker, volunteer, minutes=120), worker)
    entry_of(
        signup_of(
            shift_of(activity_of(community, worker), starts_in=-timedelta(days=5)), volunteer
        ),
        worker,
        minutes=10,
        credited=0,
    )
    with pytest.raises(ValidationError) as refused:
        issue(worker, volunteer)
    assert refused.value.code == "no_hours"


def test_a_reversal_revokes_the_certificates_that_counted_the_entry(community, worker, issuer):
    volunteer = volunteer_of(community)
    counted = served(community, worker, volunteer)
    other = volunteer_of(community)
    served(community, worker, other)
    untouched = issue(worker, other)
    certificate = issue(worker, volunteer)

    reverse(counted, worker, reason="志愿者当天未到场")

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "志愿者当天未到场"
    untouched.refresh_from_db()
    assert untouched.revoked_at is None
    assert Activity.objects.filter(verb="certificate.revoked", community=community).count() == 1
    view = certificate_selectors.public_view(certificate)
    assert view["valid"] is False
    # The credential still verifies (it cannot change): the page says it was revoked.
    assert credentials.verify(certificate.credential, certificate_selectors.jwks_of(community))


def test_the_first_key_is_made_on_demand_and_its_private_half_is_encrypted(community, settings):
    key = certificates.signing_key_active(community)
    assert certificates.signing_key_active(community) == key
    assert "ENCRYPTED PRIVATE KEY" in key.private_key
    assert "PRIVATE" not in key.public_key
    with pytest.raises(TypeError):  # no passphrase: the database alone cannot sign
        serialization.load_pem_private_key(key.private_key.encode(), password=None)
    with pytest.raises(ValueError):
        credentials.load_private(key.private_key, b"not-the-credential-key")
    assert credentials.load_private(key.private_key, settings.CREDENTIAL_KEY.encode())
    assert key.kid == credentials.thumbprint(key.public_key)


def test_after_rotation_old_certificates_still_verify_and_new_ones_use_the_new_key(
    community, worker, issuer, resident
):
    volunteer = volunteer_of(community)
    served(community, worker, volunteer)
    old = issue(worker, volunteer)

    with pytest.raises(PermissionDenied):
        certificates.signing_key_rotate(actor=resident, community=community)
    new_key = certificates.signing_key_rotate(actor=worker, community=community)
    new = issue(worker, volunteer)

    assert old.signing_key.kid != new_key.kid
    assert credentials.header(new.credential)["kid"] == new_key.kid
    assert credentials.header(old.credential)["kid"] == old.signing_key.kid
    published = certificate_selectors.jwks_of(community)
    assert {key["kid"] for key in published["keys"]} == {old.signing_key.kid, new_key.kid}
    assert all("d" not in key for key in published["keys"])
    for certificate in (old, new):
        assert (
            _joserfc(certificate.credential, published)
            .claims["jti"]
            .endswith(str(certificate.token))
        )
    active = SigningKey.objects.in_community(community).filter(retired_at__isnull=True)
    assert list(active) == [new_key]
    assert Activity.objects.filter(verb="signing_key.rotated", community=community).count() == 1


def test_another_communitys_keys_do_not_verify_a_certificate(
    community, other_community, worker, issuer
):
    volunteer = volunteer_of(community)
    served(community, worker, volunteer)
    certificate = issue(worker, volunteer)
    certificates.signing_key_active(other_community)
    with pytest.raises(credentials.CredentialError):
        credentials.verify(certificate.credential, certificate_selectors.jwks_of(other_community))


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_get_distinct_numbers(community, worker, issuer):
    if connection.vendor != "postgresql":
        pytest.skip("threads share one SQLite connection's file lock; PostgreSQL shows the race")
    volunteers = [volunteer_of(community) for _i in range(6)]
    for volunteer in volunteers:
        served(community, worker, volunteer)
    numbers: list[str] = []
    errors: list[Exception] = []

    def run(volunteer):
        try:
            numbers.append(issue(worker, volunteer).number)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(n[-6:] for n in numbers) == [f"{i:06d}" for i in range(1, 7)]


def test_the_command_line_rotates_the_key_as_a_named_worker(community, worker, resident, issuer):
    from io import StringIO

    from django.core.management import CommandError, call_command

    volunteer = volunteer_of(community)
    served(community, worker, volunteer)
    old = issue(worker, volunteer)
    with pytest.raises(CommandError, match="may not rotate"):
        call_command("volunteering_rotate_key", community.slug, "--by", resident.phone)
    with pytest.raises(CommandError, match="no community"):
        call_command("volunteering_rotate_key", "no-such-place", "--by", worker.phone)
    out = StringIO()
    call_command("volunteering_rotate_key", community.slug, "--by", worker.phone, stdout=out)
    new_kid = SigningKey.objects.in_community(community).get(retired_at__isnull=True).kid
    assert out.getvalue().strip() == f"rotated community={community.slug} kid={new_kid}"
    assert new_kid != old.signing_key.kid
    rotated = Activity.objects.get(verb="signing_key.rotated", community=community)
    assert rotated.actor == worker
    assert credentials.verify(old.credential, certificate_selectors.jwks_of(community))


def test_the_ledgers_reversal_revokes_through_its_own_service(community, worker, issuer):
    from gongzhi.volunteering import ledger

    volunteer = volunteer_of(community)
    entry = served(community, worker, volunteer)
    certificate = issue(worker, volunteer)
    ledger.hours_reverse(actor=worker, entry=entry, reason="时间记错")
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_reason == "时间记错"

"""Volunteers, teams and the community's volunteering settings (keyword-only, atomic,
journalled).

A member registers with consent (R4.1): an emergency contact whose phone is a valid mobile
number, and, for a minor (under 18 on the day), a guardian's name, phone and consent. A worker
may register a resident on their behalf (代办: ``core.act_on_behalf``, journalled with
``on_behalf_of``). Registering grants no role: the 志愿者 role stays a worker's act in core.
Withdrawing keeps the row (its hours stay in the ledger) and ends the volunteer's place in
their teams; registering again later reopens the same row (one per person and community).

Teams are set up, changed and closed by a worker; a team may be run by a partner (共建单位) of
the community's street that has an agreement with this community. Volunteers join themselves
or are added by a worker; leaders are appointed and removed by a worker, never by themself
(``own_appointment``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal, requirements
from gongzhi.core.models import Community, Membership
from gongzhi.core.phones import normalize_phone
from gongzhi.core.policies import require
from gongzhi.volunteering.models import (
    Team,
    TeamKind,
    TeamMember,
    Volunteer,
    VolunteeringSettings,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.bodies.models import Partner
    from gongzhi.core.uploads import CheckedUpload

#: Under this age on the day, a volunteer needs a guardian's consent.
ADULT_AGE = 18
#: A volunteer's skills: at most this many, each at most this long.
MAX_SKILLS = 20
MAX_SKILL_LENGTH = 40
#: Star levels: at most this many thresholds.
MAX_STAR_LEVELS = 10


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in volunteering."))


def age_on(birth_date: date, day: date) -> int:
    """Full years of someone born on ``birth_date`` on ``day`` (29 February counts from 1 March
    in other years)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (1 if before_birthday else 0)


def _is_member(person: Any, community_id: int) -> bool:
    return (
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True)
        .exists()
    )


# --- Registration -----------------------------------------------------------------------------


@dataclass
class Registration:
    """What a volunteer tells the community (the registration form's and the API's fields)."""

    emergency_name: str
    emergency_phone: str
    skills: list[str]
    availability: str = ""
    languages: str = ""
    birth_date: date | None = None
    insurance: str = ""
    insured_until: date | None = None
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_consent: bool = False
    on_public_lists: bool = False


def clean_skills(skills: Any) -> list[str]:
    """Skills as a list of distinct trimmed texts (a comma-separated text is split)."""
    if isinstance(skills, str):
        skills = skills.replace("，", ",").replace("、", ",").split(",")
    cleaned: list[str] = []
    for skill in skills or []:
        text = str(skill).strip()
        if text and text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_SKILLS or any(len(s) > MAX_SKILL_LENGTH for s in cleaned):
        raise ValidationError(
            _("Give at most %(count)d skills of at most %(length)d characters each.")
            % {"count": MAX_SKILLS, "length": MAX_SKILL_LENGTH},
            code="skills_invalid",
        )
    return cleaned


def _checked(data: Registration, today: date) -> dict[str, Any]:
    """The registration's fields as stored, or ValidationError."""
    if not data.emergency_name.strip():
        raise ValidationError(_("Name an emergency contact."), code="emergency_missing")
    try:
        emergency_phone = normalize_phone(data.emergency_phone)
    except ValidationError as error:
        raise ValidationError(
            _("The emergency contact's phone is not a valid mobile number."), code="phone_invalid"
        ) from error
    fields: dict[str, Any] = {
        "emergency_name": data.emergency_name.strip(),
        "emergency_phone": emergency_phone,
        "skills": clean_skills(data.skills),
        "availability": data.availability.strip(),
        "languages": data.languages.strip(),
        "birth_date": data.birth_date,
        "insurance": data.insurance.strip(),
        "insured_until": data.insured_until,
        "on_public_lists": bool(data.on_public_lists),
        "guardian_name": "",
        "guardian_phone": "",
        "guardian_consent_at": None,
    }
    if data.birth_date is not None:
        if data.birth_date > today:
            raise ValidationError(
                _("The date of birth is in the future."), code="birth_date_invalid"
            )
        if age_on(data.birth_date, today) < ADULT_AGE:
            if not data.guardian_name.strip() or not data.guardian_consent:
                raise ValidationError(
                    _(
                        "A volunteer under %(age)d needs a guardian: give the guardian's name "
                        "and phone, and their consent."
                    )
                    % {"age": ADULT_AGE},
                    code="guardian_consent_missing",
                )
            try:
                guardian_phone = normalize_phone(data.guardian_phone)
            except ValidationError as error:
                raise ValidationError(
                    _("The guardian's phone is not a valid mobile number."), code="phone_invalid"
                ) from error
            fields.update(
                guardian_name=data.guardian_name.strip(),
                guardian_phone=guardian_phone,
                guardian_consent_at=timezone.now(),
            )
    return fields


def volunteer_register(
    *,
    actor: User,
    community: Community,
    data: Registration,
    consent: bool,
    person: User | None = None,
) -> Volunteer:
    """Register ``person`` (oneself; someone else only by a worker, 代办) as a volunteer of
    the community, with their consent to the record being kept. A withdrawn volunteer who
    registers again gets their registration back, with the new details."""
    person = person or actor
    on_behalf = person.pk != actor.pk
    if on_behalf:
        _require("volunteering.register_others", actor, community)
        _require("core.act_on_behalf", actor, community)
    else:
        _require("volunteering.register", actor, community)
    if not _is_member(person, community.pk):
        raise ValidationError(
            _("Only members of the community can register as volunteers."), code="not_member"
        )
    if not consent:
        raise ValidationError(
            _("Registering needs consent to the volunteer record being kept."),
            code="consent_missing",
        )
    now = timezone.now()
    fields = _checked(data, timezone.localdate(now))
    fields.update(consent_at=now, registered_by=actor if on_behalf else None, withdrawn_at=None)
    try:
        with transaction.atomic():
            existing = (
                Volunteer.objects.in_community(community)
                .select_for_update()
                .filter(person=person)
                .first()
            )
            if existing is not None and existing.withdrawn_at is None:
                raise ValidationError(
                    _("Already registered as a volunteer."), code="already_registered"
                )
            if existing is None:
                volunteer = Volunteer.objects.create(
                    community=community, person=person, created_at=now, **fields
                )
            else:
                volunteer = existing
                for name, value in fields.items():
                    setattr(volunteer, name, value)
                volunteer.save()
            journal.record(
                community=community,
                actor=actor,
                on_behalf_of=person if on_behalf else None,
                verb="volunteer.registered",
                target=volunteer,
                data={"volunteer": volunteer.pk, "again": existing is not None},
            )
    except IntegrityError as error:
        # Two registrations of one person at once: the unique constraint lets one through.
        raise ValidationError(
            _("Already registered as a volunteer."), code="already_registered"
        ) from error
    return volunteer


def _require_self_or_staff(actor: Any, volunteer: Volunteer) -> None:
    if volunteer.person_id != actor.pk:
        _require("volunteering.register_others", actor, volunteer.community)


def volunteer_update(*, actor: User, volunteer: Volunteer, data: Registration) -> Volunteer:
    """Change a registration: the volunteer themself, or a worker for them (代办)."""
    _require_self_or_staff(actor, volunteer)
    fields = _checked(data, timezone.localdate())
    with transaction.atomic():
        current = (
            Volunteer.objects.in_community(volunteer.community_id)
            .select_for_update()
            .get(pk=volunteer.pk)
        )
        if current.withdrawn_at is not None:
            raise ValidationError(_("This volunteer has withdrawn."), code="volunteer_withdrawn")
        if current.guardian_consent_at is not None and fields["guardian_consent_at"] is not None:
            # The guardian consented once; an unchanged guardian keeps that moment.
            if current.guardian_name == fields["guardian_name"]:
                fields["guardian_consent_at"] = current.guardian_consent_at
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
        journal.record(
            community=current.community,
            actor=actor,
            on_behalf_of=current.person,
            verb="volunteer.updated",
            target=current,
            data={"volunteer": current.pk, "changed": changed},
        )
    return current


def volunteer_withdraw(*, actor: User, volunteer: Volunteer) -> Volunteer:
    """Stop volunteering: the record and its hours stay; the teams' places end."""
    _require_self_or_staff(actor, volunteer)
    with transaction.atomic():
        current = (
            Volunteer.objects.in_community(volunteer.community_id)
            .select_for_update()
            .get(pk=volunteer.pk)
        )
        if current.withdrawn_at is not None:
            raise ValidationError(
                _("This volunteer has already withdrawn."), code="volunteer_withdrawn"
            )
        now = timezone.now()
        current.withdrawn_at = now
        current.save(update_fields=["withdrawn_at"])
        left = TeamMember.objects.in_community(current.community_id).filter(
            volunteer=current, left_at__isnull=True
        )
        teams = list(left.values_list("team_id", flat=True))
        left.update(left_at=now)
        journal.record(
            community=current.community,
            actor=actor,
            on_behalf_of=current.person,
            verb="volunteer.withdrawn",
            target=current,
            data={"volunteer": current.pk, "teams_left": teams},
        )
    return current


# --- Teams ------------------------------------------------------------------------------------


def partners_of(community: Community) -> list[Partner]:
    """The partners (共建单位) of the community's street with an agreement here still in force
    or to come: those who may run a team."""
    from gongzhi.bodies.models import Agreement, Partner

    with_agreement = Agreement.objects.in_community(community).filter(
        ends_on__gte=timezone.localdate()
    )
    return list(
        Partner.objects.filter(
            street_id=community.street_id, pk__in=with_agreement.values("partner_id")
        ).order_by("name", "pk")
    )


def _team_fields(
    community: Community, name: str, kind: str, description: str, partner: Partner | None
) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the team a name."), code="team_name_missing")
    if kind not in TeamKind.values:
        raise ValidationError(_("Choose the team's type."), code="team_kind_invalid")
    if partner is not None and partner.pk not in {p.pk for p in partners_of(community)}:
        raise ValidationError(
            _("This partner has no agreement with the community: it cannot run a team here."),
            code="partner_invalid",
        )
    return {"name": name, "kind": kind, "description": description.strip(), "partner": partner}


def _name_taken(community: Community, name: str, exclude: int | None = None) -> bool:
    return Team.objects.in_community(community).filter(name=name).exclude(pk=exclude or 0).exists()


def _team_name_taken() -> ValidationError:
    return ValidationError(
        _("The community already has a team with this name."), code="team_name_taken"
    )


def team_create(
    *,
    actor: User,
    community: Community,
    name: str,
    kind: str,
    description: str = "",
    partner: Partner | None = None,
) -> Team:
    """Set up a volunteer team (a worker)."""
    _require("volunteering.manage", actor, community)
    fields = _team_fields(community, name, kind, description, partner)
    if _name_taken(community, fields["name"]):
        raise _team_name_taken()
    try:
        with transaction.atomic():
            team = Team.objects.create(community=community, created_by=actor, **fields)
            journal.record(
                community=community,
                actor=actor,
                verb="team.created",
                target=team,
                data={"team": team.pk, "name": team.name, "partner": team.partner_id},
            )
    except IntegrityError as error:
        raise _team_name_taken() from error
    return team


def team_update(
    *,
    actor: User,
    team: Team,
    name: str,
    kind: str,
    description: str = "",
    partner: Partner | None = None,
) -> Team:
    """Change a team's name, type, description or partner (a worker)."""
    community = team.community
    _require("volunteering.manage", actor, community)
    fields = _team_fields(community, name, kind, description, partner)
    if _name_taken(community, fields["name"], exclude=team.pk):
        raise _team_name_taken()
    try:
        with transaction.atomic():
            current = Team.objects.in_community(community).select_for_update().get(pk=team.pk)
            if current.closed_at is not None:
                raise ValidationError(_("This team is closed."), code="team_closed")
            for field, value in fields.items():
                setattr(current, field, value)
            current.save()
            journal.record(
                community=community,
                actor=actor,
                verb="team.updated",
                target=current,
                data={"team": current.pk, "name": current.name, "partner": current.partner_id},
            )
    except IntegrityError as error:
        raise _team_name_taken() from error
    return current


def team_close(*, actor: User, team: Team) -> Team:
    """Close a team (a worker): it takes no one new; its members' places end."""
    _require("volunteering.manage", actor, team.community)
    with transaction.atomic():
        current = Team.objects.in_community(team.community_id).select_for_update().get(pk=team.pk)
        if current.closed_at is not None:
            raise ValidationError(_("This team is already closed."), code="team_closed")
        now = timezone.now()
        current.closed_at = now
        current.save(update_fields=["closed_at"])
        TeamMember.objects.in_community(current.community_id).filter(
            team=current, left_at__isnull=True
        ).update(left_at=now)
        journal.record(
            community=current.community,
            actor=actor,
            verb="team.closed",
            target=current,
            data={"team": current.pk},
        )
    return current


def _lock_open_team(team: Team) -> Team:
    current = Team.objects.in_community(team.community_id).select_for_update().get(pk=team.pk)
    if current.closed_at is not None:
        raise ValidationError(_("This team is closed."), code="team_closed")
    return current


def _place_of(team: Team, volunteer: Volunteer) -> TeamMember | None:
    return (
        TeamMember.objects.in_community(team.community_id)
        .filter(team=team, volunteer=volunteer, left_at__isnull=True)
        .first()
    )


def _active(volunteer: Volunteer, team: Team) -> None:
    if volunteer.community_id != team.community_id:
        raise ValidationError(_("This volunteer is not registered here."), code="not_volunteer")
    if volunteer.withdrawn_at is not None:
        raise ValidationError(_("This volunteer has withdrawn."), code="volunteer_withdrawn")


def team_join(*, actor: User, team: Team, volunteer: Volunteer) -> TeamMember:
    """``volunteer`` joins ``team``: by themself, or added by a worker."""
    if volunteer.person_id != actor.pk:
        _require("volunteering.manage", actor, team.community)
    _active(volunteer, team)
    try:
        with transaction.atomic():
            current = _lock_open_team(team)
            if _place_of(current, volunteer) is not None:
                raise ValidationError(_("Already in this team."), code="already_in_team")
            place = TeamMember.objects.create(
                community_id=current.community_id, team=current, volunteer=volunteer
            )
            journal.record(
                community=current.community,
                actor=actor,
                on_behalf_of=volunteer.person,
                verb="team.joined",
                target=current,
                data={"team": current.pk, "volunteer": volunteer.pk},
            )
    except IntegrityError as error:
        raise ValidationError(_("Already in this team."), code="already_in_team") from error
    return place


def team_leave(*, actor: User, team: Team, volunteer: Volunteer) -> TeamMember:
    """``volunteer`` leaves ``team``: by themself, or taken off by a worker."""
    if volunteer.person_id != actor.pk:
        _require("volunteering.manage", actor, team.community)
    with transaction.atomic():
        Team.objects.in_community(team.community_id).select_for_update().get(pk=team.pk)
        place = _place_of(team, volunteer)
        if place is None:
            raise ValidationError(_("Not in this team."), code="not_in_team")
        place.left_at = timezone.now()
        place.save(update_fields=["left_at"])
        journal.record(
            community=team.community,
            actor=actor,
            on_behalf_of=volunteer.person,
            verb="team.left",
            target=team,
            data={"team": team.pk, "volunteer": volunteer.pk, "was_leader": place.leader},
        )
    return place


def team_leader_appoint(*, actor: User, team: Team, volunteer: Volunteer) -> TeamMember:
    """Appoint ``volunteer`` a leader of ``team`` (a worker; never oneself). Someone not yet in
    the team joins it as its leader: a partner-run team's leaders may be the partner's people,
    any registered volunteer of the community."""
    _require("volunteering.manage", actor, team.community)
    if volunteer.person_id == actor.pk:
        raise ValidationError(_("Nobody appoints themself a team leader."), code="own_appointment")
    _active(volunteer, team)
    with transaction.atomic():
        current = _lock_open_team(team)
        place = _place_of(current, volunteer)
        if place is not None and place.leader:
            raise ValidationError(_("Already a leader of this team."), code="already_leader")
        requirements.check(current.community, volunteer.person, "volunteering.team_leader")
        if place is None:
            place = TeamMember.objects.create(
                community_id=current.community_id,
                team=current,
                volunteer=volunteer,
                leader=True,
                appointed_by=actor,
            )
        else:
            place.leader = True
            place.appointed_by = actor
            place.save(update_fields=["leader", "appointed_by"])
        journal.record(
            community=current.community,
            actor=actor,
            verb="team.leader_appointed",
            target=current,
            data={"team": current.pk, "volunteer": volunteer.pk},
        )
    return place


def team_leader_remove(*, actor: User, team: Team, volunteer: Volunteer) -> TeamMember:
    """Remove ``volunteer`` as a leader of ``team`` (a worker); they stay in the team."""
    _require("volunteering.manage", actor, team.community)
    with transaction.atomic():
        Team.objects.in_community(team.community_id).select_for_update().get(pk=team.pk)
        place = _place_of(team, volunteer)
        if place is None or not place.leader:
            raise ValidationError(_("Not a leader of this team."), code="not_leader")
        place.leader = False
        place.save(update_fields=["leader"])
        journal.record(
            community=team.community,
            actor=actor,
            verb="team.leader_removed",
            target=team,
            data={"team": team.pk, "volunteer": volunteer.pk},
        )
    return place


# --- Settings ---------------------------------------------------------------------------------


def parse_star_hours(text: Any) -> list[int]:
    """Star levels as increasing whole hours: "100, 300, 600" or a list."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    else:
        parts = list(text or [])
    invalid = ValidationError(
        _("Give the star levels as increasing whole hours, separated by commas: 100, 300, 600."),
        code="star_hours_invalid",
    )
    try:
        hours = [int(p) for p in parts]
    except (TypeError, ValueError) as error:
        raise invalid from error
    if (
        not hours
        or len(hours) > MAX_STAR_LEVELS
        or hours[0] <= 0
        or any(b <= a for a, b in zip(hours, hours[1:], strict=False))
    ):
        raise invalid
    return hours


SETTINGS_FIELDS = (
    "unit_minutes",
    "threshold_minutes",
    "star_hours",
    "issuer_name",
    "responsible_name",
    "timebank_floor_minutes",
    "timebank_ceiling_minutes",
    "timebank_starting_minutes",
)


def settings_update(
    *,
    actor: User,
    community: Community,
    unit_minutes: int,
    threshold_minutes: int,
    star_hours: Any,
    issuer_name: str = "",
    responsible_name: str = "",
    timebank_floor_minutes: int = -600,
    timebank_ceiling_minutes: int = 6000,
    timebank_starting_minutes: int = 120,
    seal: CheckedUpload | None = None,
    remove_seal: bool = False,
) -> VolunteeringSettings:
    """Save the community's volunteering rules (a worker). ``seal`` is an image already
    checked by ``core.uploads.check_upload``."""
    _require("volunteering.manage", actor, community)
    if not 1 <= unit_minutes <= 240:
        raise ValidationError(
            _("Hours are counted in units of 1 to 240 minutes."), code="rounding_invalid"
        )
    if not 0 <= threshold_minutes <= unit_minutes:
        raise ValidationError(
            _("A started unit counts from 0 minutes up to the unit's length."),
            code="rounding_invalid",
        )
    stars = parse_star_hours(star_hours)
    if timebank_floor_minutes > 0 or timebank_ceiling_minutes < 0:
        raise ValidationError(
            _("The time bank's lowest balance must be 0 or below and its highest 0 or above."),
            code="timebank_limits_invalid",
        )
    if not 0 <= timebank_starting_minutes <= timebank_ceiling_minutes:
        raise ValidationError(
            _("The starting credit must be between 0 and the highest balance."),
            code="timebank_limits_invalid",
        )
    if seal is not None and not seal.is_image:
        raise ValidationError(
            _("The seal must be a picture (PNG, JPEG or WebP)."), code="seal_invalid"
        )
    values: dict[str, Any] = {
        "unit_minutes": unit_minutes,
        "threshold_minutes": threshold_minutes,
        "star_hours": stars,
        "issuer_name": issuer_name.strip(),
        "responsible_name": responsible_name.strip(),
        "timebank_floor_minutes": timebank_floor_minutes,
        "timebank_ceiling_minutes": timebank_ceiling_minutes,
        "timebank_starting_minutes": timebank_starting_minutes,
    }
    with transaction.atomic():
        Community.objects.select_for_update().get(pk=community.pk)
        current = VolunteeringSettings.objects.in_community(community).first()
        if current is None:
            current = VolunteeringSettings(community=community)
            before: dict[str, Any] = {}
        else:
            before = {name: getattr(current, name) for name in SETTINGS_FIELDS}
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_at = timezone.now()
        current.updated_by = actor
        seal_changed = ""
        if seal is not None:
            current.seal.save(seal.name, seal.as_file(), save=False)
            seal_changed = "replaced"
        elif remove_seal and current.seal:
            current.seal = ""  # type: ignore[assignment]
            seal_changed = "removed"
        current.save()
        changed = sorted(name for name, value in values.items() if before.get(name) != value)
        journal.record(
            community=community,
            actor=actor,
            verb="volunteering.settings_changed",
            target=current,
            data={
                "changed": changed,
                "seal": seal_changed,
                **{name: values[name] for name in changed},
            },
        )
    return current

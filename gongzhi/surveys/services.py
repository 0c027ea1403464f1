"""Every write of the surveys app (问卷调查): building a survey, its waves, drawing a sample,
answering, typing in paper answers, and a licensed scale's items.

Each function checks permission, runs in one transaction, journals the act and raises
``ValidationError`` (or ``PermissionDenied``) with a message the person reads in their language.

One answer per person per wave holds because the database says so: ``Receipt`` is unique per
(wave, person), and the receipt and the answers are written in one transaction, so two requests
fired at once by one person store exactly one answer. An anonymous answer's ``Response`` carries
no person, no time finer than the day and a random key: nothing ties it to its receipt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal, lottery
from gongzhi.core.models import Community, Membership
from gongzhi.core.paper import PaperResult, double_entry, paper_serial
from gongzhi.core.policies import require, verified_membership
from gongzhi.notifications.services import notify
from gongzhi.surveys import definition as definitions
from gongzhi.surveys import scales
from gongzhi.surveys.definition import Definition
from gongzhi.surveys.models import (
    Channel,
    Invitation,
    LicensedScale,
    PaperEntry,
    Receipt,
    Response,
    SampleKind,
    Status,
    Survey,
    Wave,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 10
#: Reminders go to an invitee at most once in this long.
REMIND_EVERY = timedelta(days=1)
#: The stratum of residents whose home is on no grid.
NO_GRID = ""


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower()


def definition_of(survey: Survey) -> Definition:
    """The survey's questions as the shared dataclass."""
    return Definition.from_dict(survey.definition)


# --- Building a survey ------------------------------------------------------------------------


def _blank_definition(*, form_id: str, title: str, anonymous: bool) -> Definition:
    labels = {_language(): title}
    return Definition(
        form_id=form_id,
        version="1",
        title=labels,
        sections=[definitions.Section(name="section_1", labels=labels, questions=[])],
        anonymous=anonymous,
    )


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(_("The title must have 1 to 200 characters."), code="title_invalid")
    return title


def survey_create(
    *,
    actor: User,
    community: Community,
    title: str,
    description: str = "",
    anonymous: bool = True,
    definition: Definition | None = None,
) -> Survey:
    """A new draft survey: empty (one empty section) unless a definition is given."""
    require("surveys.manage", actor, community)
    title = _check_title(title)
    if definition is None:
        definition = _blank_definition(
            form_id=f"survey_{secrets.token_hex(4)}", title=title, anonymous=anonymous
        )
    else:
        definition.validate()
        anonymous = definition.anonymous
    try:
        with transaction.atomic():
            survey = Survey.objects.in_community(community).create(
                title=title,
                description=(description or "").strip(),
                form_id=definition.form_id,
                version=definition.version,
                anonymous=anonymous,
                definition=definition.to_dict(),
                created_by=actor,
            )
            journal.record(community=community, actor=actor, verb="survey.created", target=survey)
    except IntegrityError as error:
        raise _form_taken(definition) from error
    return survey


def _form_taken(definition: Definition) -> ValidationError:
    return ValidationError(
        _("This community already has a survey with form ID %(form_id)s, version %(version)s.")
        % {"form_id": definition.form_id, "version": definition.version},
        code="form_taken",
    )


def survey_import_xlsform(*, actor: User, community: Community, data: bytes) -> Survey:
    """A draft survey read from an XLSForm workbook (the subset ``xlsform`` names)."""
    require("surveys.manage", actor, community)
    from gongzhi.surveys.xlsform import read_xlsform

    definition = read_xlsform(data)
    title = definitions.label(definition.title, _language()) or definition.form_id
    return survey_create(actor=actor, community=community, title=title[:200], definition=definition)


def survey_save_definition(*, actor: User, survey: Survey, definition: Definition) -> Survey:
    """Replace a draft's questions (validated); an opened survey's questions are frozen."""
    require("surveys.manage", actor, survey.community)
    definition.validate()
    try:
        with transaction.atomic():
            locked = Survey.objects.in_community(survey.community_id).select_for_update()
            current = locked.get(pk=survey.pk)
            if current.status != Status.DRAFT:
                raise ValidationError(
                    _("Questions can only change while the survey is a draft."),
                    code="not_draft",
                )
            current.definition = definition.to_dict()
            current.form_id = definition.form_id
            current.version = definition.version
            current.anonymous = definition.anonymous
            current.save(update_fields=["definition", "form_id", "version", "anonymous"])
            journal.record(
                community=survey.community,
                actor=actor,
                verb="survey.definition_saved",
                target=current,
                data={"questions": len(definition.questions())},
            )
    except IntegrityError as error:
        raise _form_taken(definition) from error
    survey.refresh_from_db()
    return survey


def _set_status(*, actor: User, survey: Survey, status: str, allowed_from: str, verb: str) -> None:
    with transaction.atomic():
        changed = (
            Survey.objects.in_community(survey.community_id)
            .filter(pk=survey.pk, status=allowed_from)
            .update(status=status)
        )
        if not changed:
            if status == Status.OPEN:
                message = _("Only a draft survey can be opened.")
            else:
                message = _("Only an open survey can be closed.")
            raise ValidationError(message, code="wrong_status")
        journal.record(community=survey.community, actor=actor, verb=verb, target=survey)
    survey.status = status


def survey_open(*, actor: User, survey: Survey) -> None:
    """Freeze the questions and let residents answer its waves while they run."""
    require("surveys.manage", actor, survey.community)
    definition = definition_of(survey)
    definition.validate()
    if not definition.questions():
        raise ValidationError(
            _("A survey needs at least one question before it opens."), code="no_questions"
        )
    _set_status(
        actor=actor,
        survey=survey,
        status=Status.OPEN,
        allowed_from=Status.DRAFT,
        verb="survey.opened",
    )
    transaction.on_commit(waves_announce)


def survey_close(*, actor: User, survey: Survey) -> None:
    """No more answers, whatever the waves' dates say; the answers stay for the results."""
    require("surveys.manage", actor, survey.community)
    _set_status(
        actor=actor,
        survey=survey,
        status=Status.CLOSED,
        allowed_from=Status.OPEN,
        verb="survey.closed",
    )


# --- Waves and samples -----------------------------------------------------------------------


def wave_end(*, actor: User, wave: Wave) -> Wave:
    """End an open round now (its answers become readable: ``Wave.closed``)."""
    require("surveys.manage", actor, wave.community)
    with transaction.atomic():
        locked = Wave.objects.in_community(wave.community_id).select_for_update().get(pk=wave.pk)
        now = timezone.now()
        if not locked.opens_at <= now < locked.closes_at:
            raise ValidationError(_("Only a round that is open now can be ended."), code="not_open")
        locked.closes_at = now
        locked.save(update_fields=["closes_at"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="survey.wave_ended",
            target=locked,
            data={"wave": locked.label},
        )
    wave.closes_at = locked.closes_at
    return wave


def wave_create(
    *,
    actor: User,
    survey: Survey,
    label: str,
    opens_at: datetime,
    closes_at: datetime,
    sample: str = SampleKind.EVERYONE,
    sample_size: int | None = None,
) -> Wave:
    """A round of the survey (基线, 回访 …) with its dates; a sampled one is drawn later."""
    require("surveys.manage", actor, survey.community)
    label = (label or "").strip()
    if not label or len(label) > 60:
        raise ValidationError(_("The round's name must have 1 to 60 characters."), code="label")
    if survey.status == Status.CLOSED:
        raise ValidationError(_("This survey is closed."), code="survey_closed")
    if closes_at <= opens_at:
        raise ValidationError(_("A round must close after it opens."), code="window_invalid")
    if sample not in SampleKind.values:
        raise ValidationError(_("Choose who this round asks."), code="sample_invalid")
    if sample == SampleKind.EVERYONE:
        sample_size = None
    elif not sample_size or sample_size < 1:
        raise ValidationError(
            _("A sample needs the number of residents to draw."), code="sample_size_missing"
        )
    with transaction.atomic():
        # The survey's row is the lock under which two rounds are numbered and kept apart.
        Survey.objects.in_community(survey.community_id).select_for_update().get(pk=survey.pk)
        waves = Wave.objects.in_community(survey.community_id).filter(survey=survey)
        if waves.filter(opens_at__lt=closes_at, closes_at__gt=opens_at).exists():
            raise ValidationError(
                _("This round's dates overlap another round of the same survey."),
                code="waves_overlap",
            )
        position = (waves.aggregate(last=Max("position"))["last"] or 0) + 1
        wave = waves.create(
            survey=survey,
            position=position,
            label=label,
            opens_at=opens_at,
            closes_at=closes_at,
            sample=sample,
            sample_size=sample_size,
            created_by=actor,
        )
        journal.record(
            community=survey.community,
            actor=actor,
            verb="survey.wave_created",
            target=wave,
            data={"position": position, "sample": sample, "sample_size": sample_size},
        )
    return wave


def frame_line(membership: Membership) -> str:
    """How a candidate appears on the published list: the membership's number and the first
    character of their name — enough for a resident to find themselves, not to name others."""
    name = membership.user.display_name.strip()
    return f"{membership.pk} {name[:1]}*" if name else str(membership.pk)


def sample_frame(wave: Wave) -> dict[str, list[Membership]]:
    """The verified residents a wave may draw from, by stratum (the grid of their home; one
    stratum for a simple random sample), each in the order of their membership number."""
    members = (
        Membership.objects.in_community(wave.community_id)
        .filter(verified_at__isnull=False, user__is_active=True)
        .select_related("user", "household__building__grid")
        .order_by("pk")
    )
    strata: dict[str, list[Membership]] = {}
    for membership in members:
        stratum = NO_GRID
        if wave.sample == SampleKind.STRATIFIED:
            household = membership.household
            grid = household.building.grid if household and household.building_id else None
            stratum = grid.name if grid is not None else NO_GRID
        strata.setdefault(stratum, []).append(membership)
    return dict(sorted(strata.items()))


def proportional_allocation(sizes: Mapping[str, int], total: int) -> dict[str, int]:
    """Split ``total`` over strata in proportion to their ``sizes`` (Hamilton's largest
    remainder method; ties go to the larger stratum, then the stratum's name)."""
    population = sum(sizes.values())
    if not 0 <= total <= population:
        raise ValueError(f"cannot draw {total} of {population}")
    if population == 0:
        return dict.fromkeys(sizes, 0)
    quotas = {name: total * size / population for name, size in sizes.items()}
    allocation = {name: int(quota) for name, quota in quotas.items()}
    left = total - sum(allocation.values())
    by_remainder = sorted(
        sizes, key=lambda name: (-(quotas[name] - allocation[name]), -sizes[name], name)
    )
    for name in by_remainder[:left]:
        allocation[name] += 1
    return allocation


def wave_draw(*, actor: User, wave: Wave, seed: str) -> list[Invitation]:
    """Draw a sampled wave's residents with the public-seed lottery (``core.lottery``), once.

    Random: one list of every verified resident. Stratified: one list per grid, each given its
    proportional share of the sample (largest remainders) and drawn with the same seed. The
    lists are kept on the wave and published on its page."""
    require("surveys.manage", actor, wave.community)
    if wave.sample == SampleKind.EVERYONE:
        raise ValidationError(
            _("This round asks every verified resident: there is nothing to draw."),
            code="not_sampled",
        )
    if not seed or not seed.strip() or len(seed) > 200:
        raise ValidationError(
            _("Type the public seed exactly as it was announced (up to 200 characters)."),
            code="seed_invalid",
        )
    if timezone.now() >= wave.closes_at:
        raise ValidationError(_("This round has closed."), code="wave_closed")
    with transaction.atomic():
        locked = Wave.objects.in_community(wave.community_id).select_for_update().get(pk=wave.pk)
        if locked.drawn_at is not None:
            raise ValidationError(_("This round's sample is already drawn."), code="drawn")
        strata = sample_frame(locked)
        sizes = {name: len(members) for name, members in strata.items()}
        population = sum(sizes.values())
        size = locked.sample_size or 0
        if size > population:
            raise ValidationError(
                _(
                    "The sample (%(size)d) is larger than the %(count)d verified residents "
                    "to draw from."
                )
                % {"size": size, "count": population},
                code="sample_too_large",
            )
        allocation = (
            proportional_allocation(sizes, size)
            if locked.sample == SampleKind.STRATIFIED
            else {NO_GRID: size}
        )
        frame: dict[str, list[str]] = {}
        invitations: list[Invitation] = []
        for stratum, members in strata.items():
            lines = [frame_line(m) for m in members]
            frame[stratum] = lines
            drawn = lottery.draw(seed, lines, allocation.get(stratum, 0))
            for position in drawn.positions:
                invitations.append(
                    Invitation(
                        community_id=wave.community_id,
                        wave=locked,
                        person=members[position - 1].user,
                        stratum=stratum,
                        position=len(invitations) + 1,
                    )
                )
        Invitation.objects.bulk_create(invitations)
        locked.seed = seed
        locked.frame = frame
        locked.drawn_at = timezone.now()
        locked.save(update_fields=["seed", "frame", "drawn_at"])
        journal.record(
            community=wave.community,
            actor=actor,
            verb="survey.sample_drawn",
            target=locked,
            data={
                "seed": seed,
                "candidates": population,
                "drawn": len(invitations),
                "list_sha256": {
                    stratum: hashlib.sha256("\n".join(lines).encode()).hexdigest()
                    for stratum, lines in frame.items()
                },
            },
        )
    wave.seed, wave.frame, wave.drawn_at = locked.seed, locked.frame, locked.drawn_at
    transaction.on_commit(waves_announce)
    return invitations


# --- Telling people --------------------------------------------------------------------------


def _asked_users(wave: Wave) -> list[User]:
    if wave.sample == SampleKind.EVERYONE:
        members = Membership.objects.in_community(wave.community_id).filter(
            verified_at__isnull=False
        )
        return list(User.objects.filter(pk__in=members.values("user"), is_active=True))
    invited = Invitation.objects.in_community(wave.community_id).filter(wave=wave)
    return list(User.objects.filter(pk__in=invited.values("person"), is_active=True))


def _survey_url(wave: Wave) -> str:
    return f"/c/{wave.community.slug}/surveys/{wave.survey_id}/"


def waves_announce(*, now: datetime | None = None) -> int:
    """Tell those a wave asks, once, that it is open (run periodically, and when a survey opens
    or a sample is drawn). The claim is one conditional UPDATE: two runs never announce twice."""
    now = now or timezone.now()
    due = (
        Wave.objects.all_communities()
        .filter(
            announced_at__isnull=True,
            opens_at__lte=now,
            closes_at__gt=now,
            survey__status=Status.OPEN,
        )
        .filter(Q(sample=SampleKind.EVERYONE) | Q(drawn_at__isnull=False))
        .select_related("community", "survey")
    )
    announced = 0
    for wave in due:
        with transaction.atomic():
            claimed = (
                Wave.objects.in_community(wave.community_id)
                .filter(pk=wave.pk, announced_at__isnull=True)
                .update(announced_at=now)
            )
            if not claimed:
                continue
            notify(
                users=_asked_users(wave),
                community=wave.community,
                kind="survey_asked",
                message="opened",
                params={"title": wave.survey.title},
                url=_survey_url(wave),
            )
            announced += 1
    return announced


def invitations_remind(*, now: datetime | None = None) -> int:
    """Remind those drawn for an open wave who have not answered, at most once a day and not
    on the day they were first told. Each reminder is claimed by a conditional UPDATE."""
    now = now or timezone.now()
    cutoff = now - REMIND_EVERY
    waves = (
        Wave.objects.all_communities()
        .filter(
            survey__status=Status.OPEN,
            opens_at__lte=now,
            closes_at__gt=now,
            announced_at__lte=cutoff,
        )
        .exclude(sample=SampleKind.EVERYONE)
        .select_related("community", "survey")
    )
    reminded = 0
    for wave in waves:
        answered = Receipt.objects.in_community(wave.community_id).filter(wave=wave)
        not_lately = Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff)
        due = (
            Invitation.objects.in_community(wave.community_id)
            .filter(wave=wave)
            .filter(not_lately)
            .exclude(person__in=answered.values("person"))
            .select_related("person")
        )
        for invitation in due:
            with transaction.atomic():
                claimed = (
                    Invitation.objects.in_community(wave.community_id)
                    .filter(pk=invitation.pk)
                    .filter(not_lately)
                    .update(reminded_at=now)
                )
                if not claimed or not invitation.person.is_active:
                    continue
                notify(
                    users=[invitation.person],
                    community=wave.community,
                    kind="survey_reminder",
                    message="reminder",
                    params={"title": wave.survey.title, "closes": _day(wave.closes_at)},
                    url=_survey_url(wave),
                )
                reminded += 1
    return reminded


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


# --- Answering ------------------------------------------------------------------------------


def wave_is_open(wave: Wave, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return wave.survey.status == Status.OPEN and wave.opens_at <= now < wave.closes_at


def check_eligible(*, actor: Any, wave: Wave) -> None:
    """Raise unless ``actor`` may answer ``wave`` now (its receipt aside)."""
    if not wave_is_open(wave):
        raise ValidationError(_("This survey is not open for answers now."), code="not_open")
    if not getattr(actor, "is_authenticated", False) or not verified_membership(
        actor, wave.community_id
    ):
        raise PermissionDenied(_("Only verified residents of this community can answer."))
    if wave.sample != SampleKind.EVERYONE:
        invited = Invitation.objects.in_community(wave.community_id).filter(wave=wave, person=actor)
        if not invited.exists():
            raise PermissionDenied(
                _("This round asks residents drawn by lot, and you were not drawn.")
            )


def order_seed(*, wave: Wave, person: Any) -> str:
    """The seed of one respondent's question order in one wave: the same on every reload, and
    tied to nothing stored (a keyed hash of the wave and the person), so the order an answer was
    shown in cannot lead back to the person."""
    message = f"surveys.order:{wave.community_id}:{wave.pk}:{person.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))


def _already_answered() -> ValidationError:
    return ValidationError(
        _("You have already answered this round of the survey. Each person answers once."),
        code="already_answered",
    )


def response_submit(
    *, actor: User, wave: Wave, answers: Mapping[str, Any], consent: bool = False
) -> Receipt:
    """Store one person's answers to one wave and give them a receipt.

    Anonymous surveys, and identified ones without consent: a ``Response`` without a person.
    Identified with consent: the person on the response, so waves pair by person. A second
    answer is refused by the receipt's unique constraint, and nothing of it is stored."""
    check_eligible(actor=actor, wave=wave)
    definition = definition_of(wave.survey)
    checked = definitions.check_answers(definition, dict(answers), _language())
    linked = bool(consent) and not wave.survey.anonymous
    with transaction.atomic():
        if Receipt.objects.in_community(wave.community_id).filter(wave=wave, person=actor).exists():
            raise _already_answered()
        receipt = _receipt_insert(wave, actor)
        Response.objects.in_community(wave.community_id).create(
            wave=wave,
            channel=Channel.ONLINE,
            answers=checked,
            person=actor if linked else None,
            consented=linked,
        )
        journal.record(
            community=wave.community,
            actor=actor,
            verb="survey.answered",
            target=wave,
            data={"identified": linked},
        )
    return receipt


def _receipt_insert(wave: Wave, actor: User) -> Receipt:
    for _attempt in range(3):
        receipt = Receipt(
            community_id=wave.community_id,
            wave=wave,
            person=actor,
            code=_receipt_code(),
            channel=Channel.ONLINE,
            answered_on=timezone.localdate(),
        )
        try:
            with transaction.atomic():
                receipt.save(force_insert=True)
        except IntegrityError as error:
            taken = Receipt.objects.in_community(wave.community_id).filter(wave=wave, person=actor)
            if taken.exists():
                raise _already_answered() from error
            continue  # only the code collided (1 in 32¹⁰ per pair): draw another
        return receipt
    raise IntegrityError("could not draw a unique receipt code")


def paper_enter(*, actor: User, wave: Wave, serial: str, answers: Mapping[str, Any]) -> PaperResult:
    """A paper questionnaire typed in (双人双录, ``core.paper``): it counts once two different
    workers have typed it the same way; then it is a ``Response`` on the paper channel."""
    require("surveys.manage", actor, wave.community)
    serial = paper_serial(serial)
    if wave.survey.status == Status.DRAFT or timezone.now() < wave.opens_at:
        raise ValidationError(
            _("Paper answers can be typed in once the round has opened."), code="not_open"
        )
    checked = definitions.check_answers(definition_of(wave.survey), dict(answers), _language())
    responses = Response.objects.in_community(wave.community_id).filter(wave=wave)
    return double_entry(
        entries=PaperEntry.objects.in_community(wave.community_id),
        box_field="wave",
        box=wave,
        actor=actor,
        serial=serial,
        content=checked,
        counted=responses.filter(paper_serial=serial).exists,
        count=lambda: responses.create(
            wave=wave, channel=Channel.PAPER, answers=checked, paper_serial=serial
        ),
        verbs={
            "entered": "survey.paper_entered",
            "conflict": "survey.paper_conflict",
            "confirmed": "survey.paper_confirmed",
        },
    )


# --- Licensed scales --------------------------------------------------------------------------


def _licensed_items(items: Any) -> list[dict[str, Any]]:
    problem = ValidationError(
        _(
            "Each item needs a key (letters, digits, _), its wording in Chinese or English, "
            "and whether it is reverse-keyed."
        ),
        code="items_invalid",
    )
    if not isinstance(items, list) or len(items) < 2:
        raise ValidationError(_("A scale needs at least two items."), code="too_few_items")
    seen: set[str] = set()
    cleaned = []
    for raw in items:
        if not isinstance(raw, Mapping):
            raise problem
        key = str(raw.get("key", "")).strip()
        labels = raw.get("labels")
        if (
            not key
            or not key.replace("_", "").isalnum()
            or not key.isascii()
            or key in seen
            or not isinstance(labels, Mapping)
            or not any(str(labels.get(code, "")).strip() for code in ("zh-hans", "en"))
        ):
            raise problem
        seen.add(key)
        cleaned.append(
            {
                "key": key,
                "labels": {c: str(labels[c]).strip() for c in ("zh-hans", "en") if labels.get(c)},
                "reverse": bool(raw.get("reverse", False)),
                "subscale": str(raw.get("subscale", "") or ""),
            }
        )
    return cleaned


def licensed_scale_add(
    *, actor: User, community: Community, scale: str, items: Any, licence_note: str
) -> LicensedScale:
    """A licensed community adds a permission-required scale's items (SCI-2); no survey uses
    them until a second worker confirms them."""
    require("surveys.manage", actor, community)
    instrument = scales.get(scale)
    if instrument.licence != "permission_required":
        raise ValidationError(
            _("This scale's items are already in the library."), code="not_licensed_scale"
        )
    licence_note = (licence_note or "").strip()
    if not licence_note:
        raise ValidationError(
            _("Say where the permission to use this scale comes from."), code="licence_missing"
        )
    cleaned = _licensed_items(items)
    instrument.with_items(cleaned)  # the library's own checks: subscales, item counts
    try:
        with transaction.atomic():
            licensed = LicensedScale.objects.in_community(community).create(
                scale=scale, items=cleaned, licence_note=licence_note, added_by=actor
            )
            journal.record(
                community=community,
                actor=actor,
                verb="survey.scale_added",
                target=licensed,
                data={"scale": scale, "items": len(cleaned)},
            )
    except IntegrityError as error:
        raise ValidationError(
            _("This community has already added this scale's items."), code="scale_added"
        ) from error
    return licensed


def licensed_scale_confirm(*, actor: User, licensed: LicensedScale) -> None:
    """A second worker checks the items against the licensed source. Nobody confirms what they
    added themselves (and the database refuses it too)."""
    require("surveys.manage", actor, licensed.community)
    if licensed.added_by_id == actor.pk:
        raise ValidationError(
            _("A second worker must confirm these items, not the one who added them."),
            code="same_person",
        )
    with transaction.atomic():
        confirmed = (
            LicensedScale.objects.in_community(licensed.community_id)
            .filter(pk=licensed.pk, confirmed_by__isnull=True)
            .exclude(added_by=actor)
            .update(confirmed_by=actor, confirmed_at=timezone.now())
        )
        if not confirmed:
            raise ValidationError(_("These items are already confirmed."), code="confirmed")
        journal.record(
            community=licensed.community,
            actor=actor,
            verb="survey.scale_confirmed",
            target=licensed,
            data={"scale": licensed.scale},
        )
    licensed.refresh_from_db()

"""After a whole case run through the services (an application, consent, acceptance, a session
with notes, an agreement signed and sealed, a follow-up, an attachment), neither the journal,
nor the notifications and their deliveries, nor a backup of the database (``manage.py backup``
on SQLite, a full ``dumpdata`` on either engine) nor the media folder holds the case's texts or
the parties' names in clear.

The texts are Chinese on purpose: a sealed value is base64, which never holds a Chinese
character, so finding one is finding clear text. The parties' names are in the accounts table
(who a person is); they must not be anywhere in mediation's rows, the journal or a message."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from gongzhi.core.models import Activity
from gongzhi.mediation import proceedings, services
from gongzhi.mediation.models import Agreement, Case
from gongzhi.notifications.models import Delivery, Notification
from tests.factories import member
from tests.mediation.world import committee_of, mediator_of

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = {
    "summary": "楼上卫生间漏水到我家厨房天花板",
    "place": "幸福里居委会二楼调解室",
    "notes": "双方同意先请物业查明漏点",
    "facts": "漏水系楼上防水层老化所致",
    "terms": "楼上业主承担维修费用三千元",
    "performance": "十五日内支付并完成维修",
    "follow_up": "回访时维修已经完成无渗漏",
    "file": "厨房天花板照片",
}
NAMES = ("欧阳秀英", "司马建国")


def _png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _run_a_case(community, worker) -> Case:
    applicant = member(community, display_name=NAMES[0])
    respondent = member(community, display_name=NAMES[1])
    committee = committee_of(community, worker)
    head, mediator = committee.head, mediator_of(community)
    case = services.case_apply(
        actor=applicant,
        community=community,
        kind="leak",
        summary=TEXTS["summary"],
        respondent_phone=str(respondent.phone),
    )
    services.party_consent(actor=respondent, case=case)
    services.case_accept(actor=head, case=case, mediators=[mediator])
    sitting = proceedings.sitting_record(
        actor=mediator,
        case=case,
        held_at=timezone.now() - timedelta(hours=1),
        place=TEXTS["place"],
        notes=TEXTS["notes"],
    )
    for person in (applicant, respondent):
        proceedings.notes_confirm(actor=person, sitting=sitting)
    proceedings.attachment_add(actor=applicant, case=case, file=_png(f"{TEXTS['file']}.png"))
    agreement = proceedings.agreement_draft(
        actor=mediator,
        case=case,
        facts=TEXTS["facts"],
        terms=TEXTS["terms"],
        performance=TEXTS["performance"],
        perform_by=timezone.localdate() + timedelta(days=15),
    )
    for person in (applicant, respondent):
        proceedings.agreement_sign(actor=person, agreement=agreement)
    proceedings.agreement_mediator_sign(actor=mediator, agreement=agreement)
    proceedings.agreement_seal(
        actor=head, agreement=Agreement.objects.in_community(community).get(pk=agreement.pk)
    )
    case = Case.objects.in_community(community).get(pk=case.pk)
    proceedings.follow_up_record(
        actor=mediator,
        case=case,
        visited_on=timezone.localdate(),
        performance="full",
        notes=TEXTS["follow_up"],
    )
    return Case.objects.in_community(community).get(pk=case.pk)


def _found(text: str, secrets) -> list[str]:
    return [s for s in secrets if s in text]


@pytest.fixture
def case(community, worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    made = _run_a_case(community, worker)
    assert made.status == "agreed"  # the whole case ran
    assert made.summary == TEXTS["summary"]  # and reads back through the model
    return made


def test_the_journal_holds_verbs_without_targets_or_content(case, community):
    entries = list(Activity.objects.in_community(community).filter(verb__startswith="mediation."))
    assert {e.verb for e in entries} >= {
        "mediation.case_opened",
        "mediation.case_accepted",
        "mediation.sitting_recorded",
        "mediation.agreement_sealed",
        "mediation.follow_up_recorded",
        "mediation.case_concluded",
    }
    for entry in entries:
        assert not entry.target_id, entry.verb
        # Who is party to a case is confidential: the parties' own acts name no actor.
        assert entry.actor is None or entry.actor.display_name not in NAMES, entry.verb
        dumped = json.dumps(entry.data, ensure_ascii=False)
        assert _found(dumped, (*TEXTS.values(), *NAMES, case.number)) == [], entry.verb
    everything = json.dumps(
        list(Activity.objects.in_community(community).values()), ensure_ascii=False, default=str
    )
    assert _found(everything, (*TEXTS.values(), *NAMES, case.number)) == []


def test_notifications_and_deliveries_hold_no_case_text_or_name(case, community):
    notes = list(Notification.objects.filter(kind="mediation_case").values())
    assert notes, "the parties were told"
    deliveries = list(Delivery.objects.filter(notification__kind="mediation_case").values())
    dumped = json.dumps([*notes, *deliveries], ensure_ascii=False, default=str)
    assert _found(dumped, (*TEXTS.values(), *NAMES, case.number)) == []


def test_a_backup_and_the_media_folder_hold_no_case_text(case, settings, tmp_path):
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=out)
    dump = out.getvalue()
    assert "gz1:" in dump  # the sealed columns are there, as tokens
    assert _found(dump, TEXTS.values()) == []
    mediation_rows = io.StringIO()
    call_command("dumpdata", "mediation", stdout=mediation_rows)
    assert _found(mediation_rows.getvalue(), (*TEXTS.values(), *NAMES)) == []
    if connection.vendor == "sqlite":
        made = io.StringIO()
        call_command("backup", "--dir", str(tmp_path / "backups"), stdout=made)
        lines = dict(line.split("=", 1) for line in made.getvalue().splitlines() if "=" in line)
        raw = Path(lines["backup"]).read_bytes()
        assert [t for t in TEXTS.values() if t.encode() in raw] == []
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert files, "the attachment is on disk"
    for path in files:
        raw = path.read_bytes()
        assert b"PNG" not in raw[:16] and b"IHDR" not in raw
        assert [t for t in TEXTS.values() if t.encode() in raw] == []
        assert TEXTS["file"] not in path.name


def test_a_serialised_case_holds_the_token_and_reads_back(case):
    from django.core import serializers

    dumped = serializers.serialize("json", [case])
    assert TEXTS["summary"] not in dumped and "gz1:" in dumped
    [restored] = serializers.deserialize("json", dumped)
    assert restored.object.summary == TEXTS["summary"]


def test_a_hotline_referral_moves_the_report_into_the_sealed_case(
    community, worker, settings, tmp_path
):
    """On the reporter's consent, what they told the hotline (the text, the spot, a photo, their
    own note, the router's copy) moves into the sealed case and leaves the ticket, which the
    hotline's workers read: the ticket keeps a neutral line. What the referral adds — the offer
    and the closing on the timeline, the journal, the parties' notifications — names neither
    the other party nor the case. Neither the database's dump nor the media folder holds the
    report in clear afterwards."""
    from gongzhi.feedback import services as hotline
    from gongzhi.feedback.models import RoutingCorrection, Ticket, TicketEvent, TicketPhoto
    from gongzhi.mediation.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    committee_of(community, worker)
    reporter = member(community, display_name=NAMES[0])
    other = member(community, display_name=NAMES[1])
    hotline.categories_install_defaults(community=community)
    ticket = hotline.ticket_file(
        actor=reporter,
        community=community,
        text=TEXTS["summary"],
        category="neighbour_dispute",
        unit="3-201 厨房",
        is_public=True,
        photos=[_png("漏水.png")],
    )
    # the reporter's own words on the timeline (as a reopening's reason would be)
    TicketEvent.objects.in_community(community).create(
        ticket=ticket, kind="note", author=reporter, note=TEXTS["notes"], public=True
    )
    RoutingCorrection.objects.in_community(community).create(
        ticket=ticket, text=TEXTS["summary"], category=ticket.category, by=worker
    )
    photo_files = [
        Path(settings.MEDIA_ROOT) / name
        for name in TicketPhoto.objects.in_community(community).values_list("file", flat=True)
    ]
    assert photo_files and all(p.exists() for p in photo_files)
    before = set(TicketEvent.objects.in_community(community).values_list("pk", flat=True))
    services.referral_offer(actor=worker, ticket=ticket)
    case = services.referral_consent(
        actor=reporter, ticket=ticket, kind="leak", respondent_phone=str(other.phone)
    )
    # The case holds the report, sealed: the text, the spot, the photo.
    assert TEXTS["summary"] in case.summary and "3-201 厨房" in case.summary
    (attachment,) = Attachment.objects.in_community(community).filter(case=case)
    with attachment.file.open("rb") as handle:
        assert handle.read()[:8] == b"\x89PNG\r\n\x1a\n"
    # The ticket keeps a neutral line, and nothing the reporter said.
    kept = Ticket.objects.in_community(community).get(pk=ticket.pk)
    assert kept.status == "closed" and not kept.is_public
    assert kept.unit == "" and kept.latitude is None and kept.category.code == "neighbour_dispute"
    assert (
        kept.text
        == TicketEvent.objects.in_community(community).get(ticket=ticket, kind="closed").note
    )
    assert not TicketPhoto.objects.in_community(community).filter(ticket=ticket).exists()
    assert not any(p.exists() for p in photo_files)
    out = io.StringIO()
    call_command("dumpdata", "feedback", "mediation", "core", stdout=out)
    assert _found(out.getvalue(), (TEXTS["summary"], TEXTS["notes"], "3-201")) == []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert b"PNG" not in raw[:16] and b"IHDR" not in raw
    # What the referral added names neither the other party nor the case.
    added = TicketEvent.objects.in_community(community).exclude(pk__in=before)
    dumped = json.dumps(list(added.values()), ensure_ascii=False, default=str)
    assert _found(dumped, (TEXTS["summary"], NAMES[1], case.number)) == []
    entries = Activity.objects.in_community(community).filter(verb__startswith="mediation.")
    assert entries.exists() and not entries.exclude(target_id="").exists()
    dumped = json.dumps(list(entries.values("data")), ensure_ascii=False, default=str)
    notes = Notification.objects.filter(kind="mediation_case").values()
    dumped += json.dumps(list(notes), ensure_ascii=False, default=str)
    assert _found(dumped, (TEXTS["summary"], *NAMES, case.number)) == []

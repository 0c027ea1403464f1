"""Demo content of information disclosure, made through the services (so the journal,
notifications and the ledger's rules are exactly as in real use): announcements (one important,
read by some residents), last month's income and expenditure entered by a community worker and
approved by a second person, its published report on a notice board, and a document with two
versions. Registered in ``manifest.DEMO``: ``seed_demo`` calls ``seed``, which fills the demo
community with ``seed_demo_disclosure``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Community
from gongzhi.disclosure import services
from gongzhi.disclosure.models import Announcement, NoticeBoard
from gongzhi.disclosure.services import LineIn

ANNOUNCEMENTS = [
    (
        "关于本周六停水的通知",
        "因二次供水设备检修，本周六上午9:00至12:00全小区停水，请提前储水。",
        "service",
        True,  # important: residents are asked to confirm they have read it
    ),
    (
        "垃圾分类志愿者招募",
        "社区招募垃圾分类督导志愿者，每周两次，每次一小时，欢迎报名。",
        "activity",
        False,
    ),
    (
        "电动车充电安全提示",
        "请勿将电动车推入楼道或在家中充电，东门集中充电点24小时开放。",
        "safety",
        False,
    ),
]

#: (day of last month, kind, counterparty, description, [(category, yuan)])
ENTRIES = [
    (2, "income", "街道办事处", "社区公益金拨款", [("subsidy", "20000.00")]),
    (5, "income", "居民捐赠", "重阳节敬老活动捐款", [("donation", "1860.00")]),
    (8, "income", "停车场管理方", "公共车位收益分成", [("public_income", "3200.00")]),
    (
        12,
        "expenditure",
        "绿城园林公司",
        "中心花园补种与修剪",
        [("greening", "2400.00"), ("maintenance", "600.00")],
    ),
    (15, "expenditure", "老年活动中心", "重阳节敬老活动", [("activities", "1750.50")]),
    (20, "expenditure", "五金店", "楼道灯泡与开关", [("maintenance", "386.40")]),
    (25, "expenditure", "困难家庭", "临时救助金", [("aid", "1000.00")]),
]

MINUTES_V1 = """2026年居民议事会第三次会议纪要

一、议题：3号楼加装电梯
表决结果：同意23票，反对2票，弃权1票。

二、议题：东门路灯
由社区向街道申请专项资金。"""

MINUTES_V2 = """2026年居民议事会第三次会议纪要

一、议题：3号楼加装电梯
表决结果：同意23票，反对2票，弃权1票。
一楼住户的补偿方案另行协商。

二、议题：东门路灯
由社区向街道申请专项资金，预计下月安装。"""


def seed(context: DemoContext) -> None:
    seed_demo_disclosure(
        context.community,
        worker=context.worker,
        approver=context.supervisor,
        residents=context.residents,
    )


def _receipt(number: int, amount: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF standing in for a scanned receipt."""
    text = f"Receipt No. DEMO-{number:03d}   Amount CNY {amount}"
    stream = f"BT /F1 14 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % index + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return SimpleUploadedFile(f"receipt-{number:03d}.pdf", bytes(out), "application/pdf")


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def seed_demo_disclosure(
    community: Community,
    *,
    worker: User,
    approver: User,
    residents: Sequence[User] = (),
) -> dict[str, Any]:
    """Fill the community's disclosure pages. ``worker`` is a community worker who enters and
    publishes; ``approver`` is a second person allowed to approve ledger entries (another
    worker or a member of the supervision committee). Does nothing if there is content already.
    Returns what it made, for the caller's summary."""
    if (
        Announcement.objects.in_community(community).exists()
        or NoticeBoard.objects.in_community(community).exists()
    ):
        return {}
    notices = []
    for title, body, category, important in ANNOUNCEMENTS:
        notices.append(
            services.announcement_create(
                actor=worker,
                community=community,
                title=title,
                body=body,
                category=category,
                important=important,
                pinned=important,
                publish=True,
            )
        )
    for resident in list(residents)[: max(1, len(residents) // 2)]:
        services.announcement_confirm_read(actor=resident, announcement=notices[0])

    start = _last_month(timezone.localdate())
    entries = []
    for number, (day, kind, counterparty, description, lines) in enumerate(ENTRIES, start=1):
        total = sum((_yuan(amount) for _c, amount in lines), start=0)
        entry = services.ledger_entry_record(
            actor=worker,
            community=community,
            kind=kind,
            occurred_on=start + timedelta(days=day - 1),
            counterparty=counterparty,
            description=description,
            total=f"{total / 100:.2f}",
            lines=[LineIn(category, amount) for category, amount in lines],
            voucher=_receipt(number, f"{total / 100:.2f}"),
        )
        entries.append(services.ledger_entry_approve(actor=approver, entry=entry))
    period = services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=start
    )
    services.finance_period_publish(actor=worker, period=period)

    minutes = services.document_create(
        actor=worker,
        community=community,
        kind="minutes",
        title="居民议事会第三次会议纪要",
        body=MINUTES_V1,
        change_note="初稿",
        publish=True,
    )
    services.document_revise(
        actor=worker,
        document=minutes,
        title="居民议事会第三次会议纪要",
        body=MINUTES_V2,
        change_note="补充一楼补偿与路灯安装时间",
    )
    board = services.board_create(
        actor=worker,
        community=community,
        title="本月公示",
        announcements=[notices[0].pk],
        periods=[period.pk],
        documents=[minutes.pk],
    )
    return {
        "announcements": notices,
        "entries": entries,
        "period": period,
        "document": minutes,
        "board": board,
    }


def _yuan(amount: str) -> int:
    whole, _dot, cents = amount.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])

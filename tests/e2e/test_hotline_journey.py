"""Browser journey of the hotline (issue 3), in Debian's Chromium: a resident reports a broken
elevator with a photo from a phone-sized window, the router sends it to the property office,
its handler accepts, starts and resolves it, and the resident rates the result."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gongzhi.feedback import services
from gongzhi.feedback.models import Rating, Routing, Status, Ticket, TicketPhoto
from tests.e2e.test_journeys import assert_no_sideways_scroll, force_login, shot, submit
from tests.factories import BuildingFactory, member

pytestmark = pytest.mark.browser


def test_file_resolve_rate_from_a_phone(new_context, community, e2e, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    slug = community.slug
    services.categories_install_defaults(community=community)
    office = services.department_create(actor=None, community=community, name="物业服务中心")
    worker = member(community, "community_worker")
    services.category_update(
        actor=worker,
        category=services._category(community.pk, "elevator"),
        department=office,
    )
    handler = member(community, display_name="王师傅")
    services.handler_add(actor=None, department=office, user=handler)
    building = BuildingFactory(community=community, name="3号楼")
    photo = tmp_path / "elevator.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    # The resident reports from a phone: community home → hotline → report.
    resident = member(community)
    phone = new_context("phone")
    force_login(phone, resident, e2e)
    page = phone.new_page()
    page.goto(f"/c/{slug}/")
    page.locator(f"main a[href='/c/{slug}/hotline/']").click()
    page.locator("#file-link").click()
    assert_no_sideways_scroll(page)
    page.fill("#id_text", "3号楼电梯坏了，卡在五楼不动，老人下不了楼")
    page.select_option("#id_building", label="3号楼")
    page.fill("#id_unit", "2单元")
    page.set_input_files("#id_photos", str(photo))
    page.check("#id_is_public")
    shot(page, "hotline-01-file")
    with page.expect_navigation():
        page.locator("#file-submit").click()
    ticket = Ticket.objects.in_community(community).get()
    assert page.url.endswith(f"/c/{slug}/hotline/{ticket.number}/")
    assert ticket.routing == Routing.AUTO and ticket.category.code == "elevator"
    assert ticket.department == office and ticket.building == building
    assert TicketPhoto.objects.in_community(community).filter(ticket=ticket).count() == 1
    assert "3号楼电梯坏了" in page.locator("#ticket-text").inner_text()
    assert page.locator("main img").count() == 1  # the reporter sees the photo
    assert_no_sideways_scroll(page)
    shot(page, "hotline-02-filed")

    # The handler finds it in their queue and handles it.
    desk = new_context("phone")
    force_login(desk, handler, e2e)
    work = desk.new_page()
    work.goto(f"/c/{slug}/hotline/queue/?q=open")
    work.locator(f"main a[href='/c/{slug}/hotline/{ticket.number}/']").first.click()
    one = f"/c/{slug}/hotline/{ticket.number}"
    submit(work, f"{one}/accept/")
    assert work.locator("#ticket-assignee").inner_text() == "王师傅"
    submit(work, f"{one}/start/")
    work.fill("#id_note", "已联系电梯公司更换控制板，电梯恢复运行。")
    submit(work, f"{one}/resolve/")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    shot(work, "hotline-03-resolved")

    # The resident reads the answer and rates it.
    page.reload()
    assert "更换控制板" in page.locator("#ticket-resolution").inner_text()
    page.locator("input[name=solved][value=yes]").check()
    page.locator("input[name=satisfaction][value='5']").check()
    page.fill("#id_comment", "修得很快，谢谢王师傅")
    assert_no_sideways_scroll(page)
    submit(page, f"{one}/rate/")
    rating = Rating.objects.in_community(community).get()
    assert rating.solved and rating.satisfaction == 5 and rating.rater == resident
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert "5/5" in page.locator("#ticket-rating").inner_text()
    shot(page, "hotline-04-rated")

    # Anyone may read the public report, without the reporter's name, unit or photo.
    visitor = new_context("phone").new_page()
    visitor.goto(f"{one}/")
    text = visitor.locator("main").inner_text()
    assert "3号楼电梯坏了" in text and "2单元" not in text and str(resident) not in text
    assert visitor.locator("main img").count() == 0

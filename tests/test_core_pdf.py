"""core/pdf.py: Chinese text goes into the PDF and comes back out of it."""

from __future__ import annotations

import io
import re

import pypdf

from gongzhi.core import pdf

TITLE = "幸福里社区居民议事会会议纪要"
BODY = "会议决定：加装电梯的费用按楼层分摊，一楼住户不承担。（二〇二六年三月五日）"


def text_of(content: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", "", text), reader


def test_chinese_title_paragraphs_and_table_are_extracted_back():
    content = pdf.render_pdf(
        TITLE,
        [
            pdf.Heading("一、议题"),
            BODY,
            pdf.Paragraph("Mixed text: 参会 23 人, 赞成 19 票."),
            pdf.Table(header=["姓名", "楼栋", "签到"], rows=[["张伟", "3号楼", "已到"]]),
        ],
        author="幸福里社区",
    )
    assert content.startswith(b"%PDF-")
    text, reader = text_of(content)
    for expected in (TITLE, "一、议题", BODY, "Mixedtext:参会23人,赞成19票.", "姓名楼栋签到"):
        assert expected in text
    assert "张伟3号楼已到" in text
    assert reader.metadata.title == TITLE
    # Only the glyphs used are embedded: far smaller than the 1.2 MB font.
    assert len(content) < 60_000


def test_long_documents_break_into_numbered_pages():
    content = pdf.render_pdf(TITLE, [BODY] * 80)
    text, reader = text_of(content)
    assert len(reader.pages) > 2
    assert f"1/{len(reader.pages)}" in text and text.count(BODY) == 80


def test_characters_outside_the_shipped_font_are_found_before_printing():
    # 㛃 and 𠀾 (rare characters seen in names) are outside GB2312 level 1; the rest is in.
    assert pdf.missing_characters("张㛃 李𠀾，“你好”ABC\n") == {"㛃", "𠀾"}
    assert pdf.missing_characters(TITLE + BODY) == set()
    content = pdf.render_pdf("名单", ["张㛃"])
    assert "张" in text_of(content)[0]


def test_the_response_is_a_pdf_with_its_chinese_file_name_encoded():
    response = pdf.pdf_response(b"%PDF-1.4", filename="会议纪要.pdf", inline=False)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf"
        in response["Content-Disposition"]
    )


def test_an_image_block_embeds_the_picture_with_its_caption():
    import segno

    picture = io.BytesIO()
    segno.make("https://example.org/verify/1/").save(picture, kind="png", scale=4)
    content = pdf.render_pdf(
        "志愿服务证明", ["正文", pdf.Image(picture.getvalue(), width=30, caption="扫码核验")]
    )
    reader = pypdf.PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    assert len(page.images) == 1
    assert "扫码核验" in page.extract_text()

"""Server-side PDFs with Chinese text (打印版): sign-in sheets, certificates, minutes, notices.

Built on fpdf2 (pure Python, LGPL-3.0: no system libraries to declare, and it embeds only the
glyphs a document uses) with the font the project ships in ``core/fonts/``: Noto Sans CJK SC cut
down to ASCII, Chinese punctuation and the 3,755 level-1 hanzi of GB2312 (OFL 1.1; see
``fonts/make_subset.py``). A character outside it — a rare character in a name — has no glyph:
``missing_characters`` lets a caller find such text before printing, and ``render_pdf`` puts
the font's blank box in its place rather than failing.

A document is a title and a list of blocks, in order: ``Heading``, ``Paragraph`` (a plain string
is one too), ``Table`` and ``Image`` (a seal, a QR code). Page size A4, page numbers in the footer.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from django.http import HttpResponse
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-GB2312.ttf"
FONT = "NotoSansSC"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    #: Relative column widths; equal when empty.
    widths: Sequence[int] = ()


@dataclass(frozen=True)
class Image:
    """A picture (PNG or JPEG bytes), ``width`` millimetres wide, a caption under it."""

    data: bytes
    width: float = 40
    caption: str = ""


Block = Heading | Paragraph | Table | Image | str


@cache
def _covered() -> frozenset[int]:
    return frozenset(TTFont(FONT_PATH, lazy=True).getBestCmap())


def missing_characters(text: str) -> set[str]:
    """The characters of ``text`` the shipped font cannot draw (spaces and line breaks aside)."""
    covered = _covered()
    return {char for char in text if not char.isspace() and ord(char) not in covered}


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=9)
        self.cell(0, 10, f"{self.page_no()} / {{nb}}", align="C")


def render_pdf(title: str, blocks: Iterable[Block], *, author: str = "") -> bytes:
    """The document as PDF bytes: the title on top, then each block in order."""
    pdf = _Document(format="A4")
    pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_creator("gongzhi")
    pdf.add_font(FONT, fname=str(FONT_PATH))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font(FONT, size=18)
    pdf.multi_cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for block in blocks:
        if isinstance(block, Heading):
            pdf.set_font(FONT, size=14)
            pdf.ln(2)
            pdf.multi_cell(0, 8, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        elif isinstance(block, Table):
            pdf.set_font(FONT, size=10.5)
            widths = tuple(block.widths) or None
            # The font has one weight: headings are shaded instead of bold.
            headings = FontFace(emphasis="", fill_color=(230, 230, 230))
            with pdf.table(col_widths=widths, headings_style=headings) as table:
                for cells in (block.header, *block.rows):
                    row = table.row()
                    for cell in cells:
                        row.cell(str(cell))
            pdf.ln(3)
        elif isinstance(block, Image):
            pdf.image(io.BytesIO(block.data), w=block.width)
            if block.caption:
                pdf.set_font(FONT, size=9)
                pdf.multi_cell(0, 5, block.caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        else:
            text = block.text if isinstance(block, Paragraph) else block
            pdf.set_font(FONT, size=11)
            pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
    return bytes(pdf.output())


def pdf_response(content: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    # ASCII fallback name plus the RFC 5987 form, so a Chinese file name survives every browser.
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"document.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

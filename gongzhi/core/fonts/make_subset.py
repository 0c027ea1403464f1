"""Remake ``NotoSansSC-GB2312.ttf``: Noto Sans CJK SC cut down to what Chinese documents need.

The PDFs (core/pdf.py) need a Chinese font the project ships. The whole Noto Sans CJK SC is
16 MB; this keeps ASCII, GB2312's symbol rows (01–09: Chinese punctuation, full-width forms,
numbers in circles), a few common extras (``EXTRA``) and its level-1 hanzi (rows 16–55, the 3,755 common characters), about
1.2 MB, and converts the CFF outlines to TrueType ones, which fpdf2 measures and subsets best
(with CFF, text extracted from the PDF came back with spaces between the characters).

Usage (fonttools comes with fpdf2; the source is Debian's fonts-noto-cjk)::

    python gongzhi/core/fonts/make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The font is under the SIL Open Font License 1.1 (OFL.txt beside it); the subset is a Modified
Version under that licence, and keeps no Reserved Font Name ("Source") in its names.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

HERE = Path(__file__).resolve().parent
TARGET = HERE / "NotoSansSC-GB2312.ttf"
SC_IN_COLLECTION = 2  # NotoSansCJK-Regular.ttc holds JP, KR, SC, TC, HK in that order


#: Outside GB2312 but common in Chinese documents: 〇 in written dates (二〇二六年), the middle dot
#: of foreign names, the euro sign.
EXTRA = "〇·•€"


def gb2312_characters() -> str:
    chars = {chr(code) for code in range(0x20, 0x7F)} | set(EXTRA)
    for row in [*range(0xA1, 0xAA), *range(0xB0, 0xD8)]:
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by quadratic glyf ones (max error 1 font unit)."""
    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs maxStackElements "
        "maxSizeOfInstructions maxComponentElements"
    ).split():
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def main(source: str) -> None:
    font = TTFont(source, fontNumber=SC_IN_COLLECTION)
    options = subset.Options()
    options.layout_features = []  # fpdf2 places glyphs one by one: no shaping tables needed
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=gb2312_characters())
    subsetter.subset(font)
    to_truetype(font)
    font.save(TARGET)
    print(f"{TARGET.name}: {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])

"""Decision letters (実施決定通知書, and the letter of rejection with its reason) as PDF.

The text is the secretariat's (service.logic.letters fills its template); this module lays
it out as an A4 letter with ReportLab, in a Japanese TrueType font embedded in the file, so
that it prints and reads back the same on any machine.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

# Debian's IPAex fonts (fonts-ipaexfont-mincho, fonts-ipaexfont-gothic): TrueType outlines,
# which ReportLab embeds (it cannot embed the CFF outlines of Noto CJK's OpenType files).
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
FONT_SETTING = "HAKEN_LETTER_FONT"
FONT_NAME = "HakenLetter"


class LetterFontMissing(RuntimeError):
    """No Japanese TrueType font to embed: says what to install or set."""


def find_font() -> Path:
    """The font to embed: ``HAKEN_LETTER_FONT`` if set, else the first Debian IPAex font."""
    chosen = os.environ.get(FONT_SETTING)
    if chosen:
        path = Path(chosen)
        if not path.is_file() or path.suffix.lower() != ".ttf":
            raise LetterFontMissing(f"{FONT_SETTING}={chosen!r} is not a TrueType (.ttf) file")
        return path
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise LetterFontMissing(
        "no Japanese TrueType font to embed in the letter: install Debian's "
        "fonts-ipaexfont-mincho (apt-get install fonts-ipaexfont-mincho), or set "
        f"{FONT_SETTING} to a .ttf file; looked for " + ", ".join(FONT_CANDIDATES))


@cache
def _registered(path: Path) -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path)))
    return FONT_NAME


@dataclass(frozen=True)
class Letter:
    """A letter's parts as the template filled them, top to bottom."""

    date_line: str  # 令和7年7月16日, at the top right
    addressee: str  # 東京都〇〇商店街振興組合連合会 御中
    sender: str  # the secretariat, right-aligned under the addressee
    title: str  # 実施決定通知書, centred
    body: str  # paragraphs separated by blank lines
    document_title: str  # the PDF's own title (its metadata)


def render_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF with its font embedded (subset)."""
    font = _registered(find_font())
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=19,
                          wordWrap="CJK")
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=26, alignment=TA_CENTER,
                           spaceBefore=8 * mm, spaceAfter=8 * mm)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
                                 topMargin=25 * mm, bottomMargin=25 * mm,
                                 title=letter.document_title, author=letter.sender,
                                 creator="Haken", lang="ja-JP",
                                 # Else every page starts in Helvetica, which is not embedded.
                                 initialFontName=font)
    story = [Paragraph(_lines(letter.date_line), right), Spacer(1, 6 * mm),
             Paragraph(_lines(letter.addressee), base), Spacer(1, 4 * mm),
             Paragraph(_lines(letter.sender), right),
             Paragraph(_lines(letter.title), title)]
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
    # A Japanese letter's closing words and 記 stand apart: 敬具 and 以上 right, 記 centred.
    placed = {"敬具": right, "以上": right, "記": centre}
    for paragraph in _paragraphs(letter.body):
        style = placed.get(paragraph.strip(), base)
        story += [Paragraph(_lines(paragraph), style), Spacer(1, 3 * mm)]
    document.build(story)
    return out.getvalue()


def _paragraphs(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _lines(text: str) -> str:
    """Plain text as a Paragraph's markup: escaped, its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))

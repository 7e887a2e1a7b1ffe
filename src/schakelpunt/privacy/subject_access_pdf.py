"""The student's data download as a readable PDF (fpdf2, decision 0009), in plain Dutch.

Made from the same `SubjectAccess` as the JSON, so the two hold the same. The font is Source
Sans Pro from PyPI (decision 0016), as in the monitor's report: a name or a note may hold any
character, which the built-in Latin-1 fonts would lose.
"""

from datetime import date, datetime
from pathlib import Path
from typing import cast

import font_source_sans_pro  # type: ignore[import-untyped]
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from .subject_access import Section, SubjectAccess, Value

FONT_DIR = Path(font_source_sans_pro.__file__).parent / "files"
FONT = "SourceSans"
BRAND = (0, 85, 122)
INK = (27, 31, 35)
MUTED = (80, 90, 100)


class _Download(FPDF):
    def __init__(self, title: str, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(FONT_DIR / "SourceSansPro-Regular.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "SourceSansPro-Bold.ttf"))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(title)
        self.set_author("Schakelpunt")
        self.set_lang("nl")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, f"{self.page_no()}/{{nb}}", align="R")

    def heading(self, text: str, size: float = 14) -> None:
        if self.will_page_break(30):
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", size)
        self.set_text_color(*BRAND)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1)

    def paragraph(
        self, text: str, size: float = 10.5, style: str = "", muted: bool = False
    ) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*(MUTED if muted else INK))
        # Flush left: fpdf2 justifies by default, which pulls a wrapped line across the page.
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)


def _text(value: Value) -> str:
    """A value as the student reads it: Dutch dates, ja/nee, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1 if value % 1 else 0)
    if isinstance(value, list):
        return "\n".join(f"- {item}" for item in value)
    return str(value)


def _cell(section: Section, record: dict[str, Value], keys: tuple[str, ...]) -> str:
    """The fields of one column: the first as is, the others under it (a yes by its label,
    a list on one line)."""
    lines = []
    for index, key in enumerate(keys):
        value = record.get(key)
        if isinstance(value, list):
            value = ", ".join(value)
        if index and value in (None, "", False):
            continue
        if index and value is True:
            lines.append(section.labels[key])
        elif index:
            lines.append(f"{section.labels[key]}: {_text(value)}")
        else:
            lines.append(_text(value))
    return "\n".join(lines)


# fpdf2 draws a table row on one page and raises when it is taller. A value that would fill
# more than a third of a page (a long note, a long text of the student's own) is printed in full
# under its table instead, where it may run over pages; its cell says where to look.
TALL_SHARE = 1 / 3


def _too_tall(pdf: _Download, text: str, width: float, line_height: float) -> bool:
    # A little narrower than the cell (its padding), so the count errs on the high side.
    lines = pdf.multi_cell(
        max(width - 4, 10), line_height, text, dry_run=True, output="LINES", padding=0
    )
    return (
        len(cast(list[str], lines)) * line_height
        > (pdf.h - pdf.t_margin - pdf.b_margin) * TALL_SHARE
    )


def _see_below(number: int) -> str:
    return _("Lange tekst: staat onder de tabel, bij (%(number)s).") % {"number": number}


def _long_texts(pdf: _Download, texts: list[tuple[str, str]], size: float) -> None:
    """The values too tall for their table, each under its label, over pages if need be."""
    for number, (label, text) in enumerate(texts, start=1):
        pdf.paragraph(f"({number}) {label}", size=size, style="B")
        pdf.paragraph(text, size=size)
        pdf.ln(2)


def _rows(pdf: _Download, section: Section) -> None:
    pdf.set_font(FONT, "", 9)
    widths = [1.0] + [1.6] * (len(section.columns) - 1)
    line_height = 4.5
    long_texts: list[tuple[str, str]] = []
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=line_height,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 238, 243)),
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        header = table.row()
        for heading, _keys in section.columns:
            header.cell(heading)
        for record in section.records:
            row = table.row()
            for share, (heading, keys) in zip(widths, section.columns, strict=True):
                text = _cell(section, record, keys)
                if _too_tall(pdf, text, pdf.epw * share / sum(widths), line_height):
                    long_texts.append((heading, text))
                    text = _see_below(len(long_texts))
                row.cell(text)
    pdf.ln(2)
    _long_texts(pdf, long_texts, 9)


def _section(pdf: _Download, section: Section) -> None:
    pdf.heading(section.title)
    pdf.paragraph(section.about, size=10, muted=True)
    pdf.ln(1)
    if not section.records:
        pdf.paragraph(section.empty or "-")
        return
    if section.columns:
        _rows(pdf, section)
        return
    for number, record in enumerate(section.records, start=1):
        if len(section.records) > 1:
            pdf.paragraph(f"{number}.", size=10, style="B")
        long_texts: list[tuple[str, str]] = []
        with pdf.table(
            col_widths=(55, 115),
            text_align="LEFT",
            line_height=5,
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            for key, label in section.labels.items():
                if key not in record:
                    continue
                row = table.row()
                row.cell(label)
                text = _text(record[key])
                if _too_tall(pdf, text, pdf.epw * 115 / 170, 5):
                    long_texts.append((label, text))
                    text = _see_below(len(long_texts))
                row.cell(text)
        pdf.ln(2)
        _long_texts(pdf, long_texts, 10)


def render_subject_access_pdf(data: SubjectAccess) -> bytes:
    """The whole download: an introduction, then one heading per part."""
    made = formats.date_format(data.made_at, "j F Y, H:i")
    title = _("Jouw gegevens in Schakelpunt - %(name)s") % {"name": data.name}
    pdf = _Download(
        title,
        _("Vertrouwelijk: jouw persoonsgegevens. Gemaakt op %(made)s.") % {"made": made},
    )
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FONT, "B", 20)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, 10, _("Jouw gegevens in Schakelpunt"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", 14)
    pdf.multi_cell(0, 8, data.name, new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph(
        _("Studentnummer %(number)s, %(school)s. Gemaakt op %(made)s.")
        % {"number": data.student_number, "school": data.institution, "made": made},
        size=10,
        muted=True,
    )
    pdf.ln(3)
    pdf.paragraph(data.intro, size=11)
    pdf.ln(1)
    pdf.paragraph(data.ask, size=11)
    pdf.ln(1)
    pdf.paragraph(
        _(
            "Staat er bij iets een streepje (-)? Dan is daar niets over opgeschreven. Dit "
            "bestand bestaat ook als JSON, voor een computer."
        ),
        size=10,
        muted=True,
    )
    for section in data.sections:
        _section(pdf, section)
    return bytes(pdf.output())

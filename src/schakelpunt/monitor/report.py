"""The governance report (over a school year or a semester) as PDF (fpdf2): a cover, a summary in plain Dutch, every
indicator with its chart and table, the definitions and how the figures are protected.

It prints what the dashboard holds — published counts (decision 0020) — so it never says more
than the screen.
"""

from datetime import datetime
from io import BytesIO
from pathlib import Path

import font_source_sans_pro  # type: ignore[import-untyped]
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from . import charts
from .dashboard import Dashboard, Figure, Table
from .definitions import DEFINITIONS, PROTECTION_TITLE, SUPPRESSION_NOTE
from .periods import parse_period

FONT_DIR = Path(font_source_sans_pro.__file__).parent / "files"
FONT = "SourceSans"
BRAND = (0, 85, 122)
INK = (27, 31, 35)
MUTED = (80, 90, 100)


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.report_title = title
        self.add_font(FONT, "", str(FONT_DIR / "SourceSansPro-Regular.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "SourceSansPro-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "SourceSansPro-It.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_title(title)
        self.set_author("Schakelpunt")
        self.set_lang("nl")

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-14)
        self.set_font(FONT, "", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.report_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, _("pagina %(n)s") % {"n": self.page_no()}, align="R")

    def heading(self, text: str, size: float = 16) -> None:
        self.set_font(FONT, "B", size)
        self.set_text_color(*BRAND)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_text_color(*INK)

    def paragraph(self, text: str, size: float = 11, style: str = "") -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def table_of(
        self, table: Table, widths: list[float] | None = None, align: list[str] | None = None
    ) -> None:
        self.set_font(FONT, "", 9.5)
        first_width = 2.2 if len(table.headings) <= 3 else 1.6
        widths = widths or [first_width] + [1.0] * (len(table.headings) - 1)
        with self.table(
            col_widths=widths,
            text_align=align or ["LEFT"] + ["RIGHT"] * (len(table.headings) - 1),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 238, 243)),
            line_height=5.5,
            borders_layout="HORIZONTAL_LINES",
        ) as pdf_table:
            for row in [table.headings, *table.all_rows()]:
                pdf_row = pdf_table.row()
                for value in row:
                    pdf_row.cell(value)
        self.ln(3)


def _figure(pdf: _Report, figure: Figure) -> None:
    if pdf.will_page_break(90):
        pdf.add_page()
    pdf.heading(figure.title, 13)
    pdf.paragraph(figure.summary, 10.5)
    if figure.spec:
        png = charts.to_png(figure.spec)
        pdf.image(BytesIO(png), w=140, alt_text=figure.title)
        pdf.ln(2)
    pdf.table_of(figure.table)


def report_kind(period_code: str) -> str:
    """What the report is called: over a semester a half-year report, over a school year a
    year report."""
    if parse_period(period_code).is_semester:
        return _("Halfjaarrapportage")
    return _("Jaarrapportage")


def render(
    dashboard: Dashboard, *, generated: datetime, breakdowns: list[tuple[str, Table]]
) -> bytes:
    """The report of one population and period, as PDF bytes."""
    title = _("Monitor sluitende aanpak — %(scope)s, %(period)s") % {
        "scope": dashboard.title,
        "period": dashboard.period,
    }
    pdf = _Report(title)
    # Cover.
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font(FONT, "B", 28)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, 13, _("Monitor sluitende aanpak"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", 18)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 9, dashboard.title, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0, 9, f"{dashboard.period} · {dashboard.period_label}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(10)
    pdf.set_font(FONT, "", 11)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        6,
        _(
            "%(kind)s voor het bestuurlijk overleg. Opgesteld door Schakelpunt op "
            "%(date)s uit de registraties van school, gemeenten en zorgaanbieders. Dit rapport "
            "bevat geen namen; alle aantallen zijn licht verstoord, zodat geen student te "
            "herkennen is (zie de laatste pagina)."
        )
        % {"kind": report_kind(dashboard.period), "date": formats.date_format(generated, "j F Y")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    # Summary and key figures.
    pdf.add_page()
    pdf.heading(_("Samenvatting"))
    for sentence in dashboard.summary:
        pdf.paragraph(sentence)
    pdf.ln(2)
    pdf.heading(_("Kerncijfers"), 13)
    pdf.table_of(
        Table(
            [_("Indicator"), _("Waarde"), _("Toelichting")],
            [[t.label, t.value, t.note] for t in dashboard.tiles],
        ),
        widths=[1.5, 0.7, 2.2],
        align=["LEFT", "RIGHT", "LEFT"],
    )
    # Indicators.
    for figure in dashboard.figures:
        _figure(pdf, figure)
    for heading, table in breakdowns:
        if pdf.will_page_break(60):
            pdf.add_page()
        pdf.heading(heading, 13)
        pdf.table_of(table)
    # Definitions and the protection of small numbers.
    pdf.add_page()
    pdf.heading(_("Definities"))
    for term, text in DEFINITIONS:
        pdf.paragraph(str(term), 11, "B")
        pdf.paragraph(str(text), 10.5)
    pdf.ln(3)
    pdf.heading(str(PROTECTION_TITLE), 13)
    pdf.paragraph(str(SUPPRESSION_NOTE))
    return bytes(pdf.output())

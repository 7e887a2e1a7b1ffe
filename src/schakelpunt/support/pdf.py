"""The plan as a tidy PDF for a conversation with the student (fpdf2, pure Python)."""

import unicodedata
from collections.abc import Sequence
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from schakelpunt.students.models import Student

from .models import SupportPlan, Trajectory
from .selectors import TeamContact

BRAND = (0, 85, 122)
INK = (27, 31, 35)
MUTED = (80, 90, 100)


# Typographic characters the PDF core fonts (Latin-1) lack, and what stands in for them.
_STAND_INS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2022": "-",
        "\u2026": "...",
        "\u20ac": "EUR",
        "\u2192": "->",
    }
)


def _latin1(text: str) -> str:
    """The PDF's core fonts speak Latin-1: keep Dutch accents, replace the rest sensibly."""
    text = text.translate(_STAND_INS)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        folded = unicodedata.normalize("NFKD", text)
        return folded.encode("latin-1", "ignore").decode("latin-1")


def _day(value: date | None) -> str:
    return formats.date_format(value, "j F Y") if value else "-"


class _PlanPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, _latin1(self.footer_text), align="L")
        self.cell(0, 6, f"{self.page_no()}/{{nb}}", align="R")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 8, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", size=11)


def _paragraph(pdf: FPDF, text: str) -> None:
    # Flush left: fpdf2 justifies by default, which pulls a wrapped line across the page.
    pdf.multi_cell(0, 6, _latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_plan_pdf(
    *,
    student: Student,
    trajectory: Trajectory,
    plan: SupportPlan,
    team: list[TeamContact],
    advice: Sequence[tuple[str, str]] = (),
) -> bytes:
    """`advice`: (from whom, text) of every handelingsadvies, newest first."""
    printed = timezone.localdate()
    pdf = _PlanPDF(
        _("Vertrouwelijk: bevat persoonsgegevens. Afgedrukt op %(day)s.") % {"day": _day(printed)}
    )
    pdf.set_title(_latin1(_("Ondersteuningsplan %(name)s") % {"name": student.full_name}))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=20)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 11, _latin1(_("Ondersteuningsplan")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=14)
    pdf.set_text_color(*INK)
    pdf.cell(0, 8, _latin1(student.full_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(*MUTED)
    _paragraph(
        pdf,
        _("%(programme)s, %(location)s. Versie %(version)s van %(day)s.")
        % {
            "programme": str(student.programme),
            "location": student.location.name,
            "version": plan.version,
            "day": _day(timezone.localtime(plan.updated_at).date()),
        },
    )
    pdf.set_text_color(*INK)

    _heading(pdf, _("Mijn doelen"))
    goals = list(plan.goals.all())
    if goals:
        for goal in goals:
            pdf.set_font("Helvetica", style="B", size=11)
            pdf.cell(
                0, 6, _latin1(goal.get_life_domain_display()), new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.set_font("Helvetica", size=11)
            _paragraph(pdf, f'"{goal.text}"')
    else:
        _paragraph(pdf, _("Nog geen doelen."))

    _heading(pdf, _("Wat we afspreken"))
    actions = list(plan.actions.select_related("owner"))
    if actions:
        headings = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BRAND)
        with pdf.table(
            col_widths=(90, 45, 35), text_align="LEFT", line_height=6, headings_style=headings
        ) as table:
            header = table.row()
            for title in (_("Actie"), _("Wie"), _("Uiterlijk")):
                header.cell(_latin1(title))
            for action in actions:
                row = table.row()
                done = f" ({_('gedaan')})" if action.done_on else ""
                row.cell(_latin1(action.description + done))
                row.cell(_latin1(action.owner_display))
                row.cell(_latin1(_day(action.due_on)))
    else:
        _paragraph(pdf, _("Nog geen acties."))

    _heading(pdf, _("Wensen en afspraken"))
    _paragraph(pdf, _("Mijn wensen: %(text)s") % {"text": plan.wishes or "-"})
    _paragraph(
        pdf, _("Afspraken met ouders en netwerk: %(text)s") % {"text": plan.agreements or "-"}
    )
    _paragraph(pdf, _("We kijken samen terug op: %(day)s") % {"day": _day(plan.review_on)})

    if advice:
        _heading(pdf, _("Advies van hulpverleners"))
        for source, text in advice:
            pdf.set_font("Helvetica", style="B", size=11)
            pdf.cell(0, 6, _latin1(source), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font("Helvetica", size=11)
            _paragraph(pdf, text)

    if team:
        _heading(pdf, _("Mijn team"))
        for person in team:
            _paragraph(
                pdf,
                f"{person.name} - {person.role}" + (f" ({person.email})" if person.email else ""),
            )
    output = pdf.output()
    return bytes(output)

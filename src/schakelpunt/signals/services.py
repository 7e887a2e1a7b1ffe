"""Acting on statutory reports (they are computed by the morning run, see daily.py)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import student_access
from schakelpunt.accounts.models import User

from .models import AbsenceReport


def absence_report_mark_reported(
    *, actor: User, report_id: int, reported_on: date, reference: str
) -> AbsenceReport:
    """The attendance officer records that the report was made at DUO, with its reference."""
    with transaction.atomic():
        report = (
            AbsenceReport.objects.select_for_update().select_related("student").get(pk=report_id)
        )
        # Reporting to DUO is the school's act: it needs the right to change absence data.
        if not student_access(actor, report.student).allows(Action.CHANGE, Part.ABSENCE):
            raise PermissionDenied
        if report.reported_on is not None:
            raise ValidationError(
                _("Deze melding is al gedaan op %(day)s.") % {"day": report.reported_on}
            )
        report.reported_on = reported_on
        report.reference = reference.strip()[:50]
        report.save(update_fields=["reported_on", "reference"])
    return report

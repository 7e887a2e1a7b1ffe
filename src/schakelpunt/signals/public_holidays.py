"""The official public holidays (feestdagen) on which schools are closed: days off in every
institution's calendar, whatever its region.

Source: rijksoverheid.nl, "Officiële feestdagen" (the list of public holidays and their
dates per year). Easter Sunday 2026, 2027 and 2028 falls on 5 April, 28 March and 16 April;
Hemelvaartsdag is Easter + 39 days, Tweede Pinksterdag Easter + 50 days. Eerste Paasdag and
Eerste Pinksterdag (always Sundays) are left out; a day on a Saturday or Sunday is listed but
changes nothing.

Not listed, on purpose: Goede Vrijdag (an official holiday, but most schools are open) and
Bevrijdingsdag outside lustrum years (schools are open; a day off only every five years: 2025,
2030, both outside these school years). A school that is closed on such a day enters it as a
day off of its own; a school open on a day listed here cannot mark it as a school day (the
calendar knows days off only).

Add the next school year's days before it starts (the calendar screen and the absence rules
then count them).
"""

from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (day, name), by school year (1 August – 31 July).
PUBLIC_HOLIDAYS: tuple[tuple[date, Promise], ...] = (
    # 2025-2026 (Pasen 5 april 2026)
    (date(2025, 12, 25), _("Eerste Kerstdag")),
    (date(2025, 12, 26), _("Tweede Kerstdag")),
    (date(2026, 1, 1), _("Nieuwjaarsdag")),
    (date(2026, 4, 6), _("Tweede Paasdag")),
    (date(2026, 4, 27), _("Koningsdag")),
    (date(2026, 5, 14), _("Hemelvaartsdag")),
    (date(2026, 5, 25), _("Tweede Pinksterdag")),
    # 2026-2027 (Pasen 28 maart 2027)
    (date(2026, 12, 25), _("Eerste Kerstdag")),
    (date(2026, 12, 26), _("Tweede Kerstdag")),
    (date(2027, 1, 1), _("Nieuwjaarsdag")),
    (date(2027, 3, 29), _("Tweede Paasdag")),
    (date(2027, 4, 27), _("Koningsdag")),
    (date(2027, 5, 6), _("Hemelvaartsdag")),
    (date(2027, 5, 17), _("Tweede Pinksterdag")),
    # 2027-2028 (Pasen 16 april 2028)
    (date(2027, 12, 25), _("Eerste Kerstdag")),
    (date(2027, 12, 26), _("Tweede Kerstdag")),
    (date(2028, 1, 1), _("Nieuwjaarsdag")),
    (date(2028, 4, 17), _("Tweede Paasdag")),
    (date(2028, 4, 27), _("Koningsdag")),
    (date(2028, 5, 25), _("Hemelvaartsdag")),
    (date(2028, 6, 5), _("Tweede Pinksterdag")),
)

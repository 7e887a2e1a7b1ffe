"""Date arithmetic that holds on 29 February too."""

from datetime import date, datetime


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, or the last day of that shorter month."""
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def in_words(day: date) -> str:
    """'9 december 2026' in the active language: for messages and e-mails, never ISO."""
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


def moment_in_words(moment: datetime) -> str:
    """'10 december 2026, 14:00' in Dutch time and the active language."""
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "j F Y, H:i")

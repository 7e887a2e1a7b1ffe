"""The parts of a student file. Access is granted per part, and logged per part."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Part(models.TextChoices):
    IDENTITY = "identity", _("Persoonsgegevens")
    CONTACT = "contact", _("Contactgegevens")
    ENROLMENT = "enrolment", _("Inschrijving en vooropleiding")
    ABSENCE = "absence", _("Verzuim en meldingen")
    SUPPORT = "support", _("Ondersteuning en team")
    REFERRALS = "referrals", _("Verwijzingen en toestemmingen")


class Action(models.TextChoices):
    VIEW = "view", _("ingezien")
    CHANGE = "change", _("gewijzigd")
    EXPORT = "export", _("geëxporteerd")


class EntryKind(models.TextChoices):
    """A file or detail read (shown to the student) or a list that showed many students."""

    DETAIL = "detail", _("dossier")
    LIST = "list", _("lijst")


ALL_PARTS = frozenset(Part)

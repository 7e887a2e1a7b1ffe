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


ALL_PARTS = frozenset(Part)

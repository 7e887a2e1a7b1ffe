"""The definitions as the reader of a dashboard or report gets them (docs/indicators.md has
them for developers, with the function that counts each)."""

from django.utils.translation import gettext_lazy as _

DEFINITIONS = [
    (
        _("Ingeschreven"),
        _("Studenten die op ten minste één dag van de periode ingeschreven waren."),
    ),
    (
        _("Voortijdig schoolverlater (VSV)"),
        _("In de periode uitgeschreven zonder startkwalificatie, voor de 23e verjaardag."),
    ),
    (
        _("Bereik"),
        _(
            "Het deel van de ingeschreven studenten met een ondersteuningstraject dat in de periode "
            "liep."
        ),
    ),
    (
        _("Zwaarte"),
        _(
            "Basis (coach), breedte (ondersteuningsteam, schoolmaatschappelijk werk) of diepte "
            "(specialistische of externe hulp); de laatste zwaarte van het traject telt."
        ),
    ),
    (
        _("Verwezen naar specialistische zorg"),
        _(
            "Van de studenten met ondersteuning het deel met een verwijzing die in de periode is "
            "verstuurd."
        ),
    ),
    (
        _("Tot eerste contact"),
        _(
            "Kalenderdagen van aanname van de verwijzing tot het eerste contact, als mediaan; "
            "binnen afspraak: binnen het aantal dagen dat met de aanbieder is afgesproken (8 als "
            "er niets is afgesproken)."
        ),
    ),
    (
        _("Van signaal tot eerste actie"),
        _("Dagen van een zorgsignaal tot de eerste actie erop, als mediaan."),
    ),
    (
        _("Ongeoorloofd verzuim"),
        _(
            "Ongeoorloofd afwezige uren gedeeld door geroosterde uren. Een schooldag zonder "
            "registratie telt als aanwezig voor de gebruikelijke uren van de student."
        ),
    ),
    (
        _("Chronisch verzuim"),
        _("Studenten die 10% of meer van hun geroosterde uren afwezig waren, om welke reden ook."),
    ),
    (
        _("Leefgebieden"),
        _(
            "De leefgebieden in de trajecten die in de periode liepen; één traject kan op meer "
            "leefgebieden tellen."
        ),
    ),
    (
        _("Nazorg"),
        _("Contacten met voortijdig schoolverlaters na 1, 3 en 6 maanden, naar uitkomst."),
    ),
    (
        _("Tevredenheid"),
        _("Het rapportcijfer (1–10) dat studenten gaven aan hulp die afsloot."),
    ),
]

PROTECTION_TITLE = _("Hoe we de cijfers beschermen")
SUPPRESSION_NOTE = _(
    "Elk aantal is licht verstoord, zodat geen student te herkennen is. Voor elke kleinste "
    "groep (dezelfde woongemeente, school, locatie en opleiding) tellen we er een vaste, "
    "willekeurig ogende waarde van hoogstens 3 bij of trekken die af, nooit tot onder 0; een "
    "lege groep blijft 0, een heel kleine groep kan als 0 verschijnen. Elk getal is de som van "
    "zijn groepen: dezelfde studenten geven altijd hetzelfde getal, en optellen of aftrekken "
    "van tabellen levert nooit een echt aantal op. Uitkomsten van 1 tot en met 4 staan er als "
    "<5, percentages zijn berekend uit de getoonde aantallen, een mediaan of gemiddelde staat "
    "er alleen bij een getoond aantal van ten minste 5. Per maand publiceren we geen cijfers. "
    "Kleine verschillen met andere bronnen zijn dus normaal; uitspraken over grote groepen "
    "blijven kloppen."
)

"""`schakelpunt setup`: the first run on an empty database."""

import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.core.first_install import FirstInstall, first_install

# (option, question, required) in the order they are asked: the institution, then its first
# functional administrator (docs/first-install.md has the same order).
QUESTIONS = [
    ("institution_name", "Naam van de mbo-instelling", True),
    ("brin", "BRIN-nummer (leeg laten mag)", False),
    (
        "municipality",
        "Gemeente van de instelling, CBS-code of naam (bijv. GM0153 of Enschede)",
        False,
    ),
    ("admin_email", "E-mailadres van de eerste functioneel beheerder", True),
    ("admin_first_name", "Voornaam van de beheerder", True),
    ("admin_last_name", "Achternaam van de beheerder", True),
]


class Command(BaseCommand):
    help = (
        "Eerste inrichting op een lege database: maakt de mbo-instelling en de eerste "
        "functioneel beheerder aan en zegt wat de volgende stappen zijn. Vraagt wat ontbreekt; "
        "met --no-input alleen de opties. Doet niets als er al een instelling is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution-name", default="", help="naam van de mbo-instelling")
        parser.add_argument("--brin", default="", help="BRIN-nummer, bijv. 25LG")
        parser.add_argument(
            "--municipality", default="", help="gemeente: CBS-code (GM0153) of naam (Enschede)"
        )
        parser.add_argument("--admin-email", default="", help="e-mailadres van de beheerder")
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="lees het wachtwoord van de beheerder van standaardinvoer; zonder deze optie "
            "krijgt de beheerder een link (per e-mail en hier getoond) om het zelf te kiezen",
        )
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="het adres van Schakelpunt, voor de links (standaard SITE_URL)",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="niets vragen: ontbrekende verplichte opties geven een foutmelding",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # On an empty database this takes a while (tables, CBS data, school holidays).
        self.stdout.write("Database aanmaken of bijwerken…", ending="")
        self.stdout.flush()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(" klaar.")
        asking = options["interactive"]
        for option, question, required in QUESTIONS:
            while asking and not options[option]:
                answer = self._ask(question)
                if answer is None:  # piped input ran out: the missing answers are named below
                    asking = False
                    break
                options[option] = answer
                if not answer and required:
                    self.stdout.write("Dit is verplicht.")
                else:
                    break
        missing = [
            f"--{option.replace('_', '-')}"
            for option, _question, required in QUESTIONS
            if required and not options[option]
        ]
        if missing:
            raise CommandError(f"Ontbreekt: {', '.join(missing)}.")
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("Er kwam geen wachtwoord op standaardinvoer.")
        try:
            done = first_install(
                institution_name=options["institution_name"],
                brin=options["brin"],
                municipality=options["municipality"],
                admin_email=options["admin_email"],
                admin_first_name=options["admin_first_name"],
                admin_last_name=options["admin_last_name"],
                password=password,
                base_url=options["base_url"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self._next_steps(done, options["base_url"].rstrip("/")))

    def _ask(self, question: str) -> str | None:
        """The answer, stripped; None when (piped) input has run out."""
        try:
            answer: str | None = input(f"{question}: ").strip()
        except EOFError:
            answer = None
        if not sys.stdin.isatty():
            # A piped answer is not echoed: without this the next question follows on one line.
            print(flush=True)
        return answer

    def _next_steps(self, done: FirstInstall, base: str) -> str:
        institution, admin = done.institution, done.admin
        where = ", ".join(
            part
            for part in (
                f"BRIN {institution.brin}" if institution.brin else "",
                f"gemeente {institution.municipality.name}" if institution.municipality else "",
            )
            if part
        )
        lines = [
            f"{institution.name}{f' ({where})' if where else ''} is aangemaakt, met "
            f"{admin} <{admin.email}> als functioneel beheerder.",
            "",
            "Voor wie de server beheert: start naast de webserver de achtergrondtaken "
            "(schakelpunt run_huey), met dezelfde instellingen; zonder die gaat er geen e-mail "
            "weg, ook de uitnodiging aan de beheerder niet.",
            "",
            "Volgende stappen voor de beheerder:",
        ]
        if done.password_link:
            lines.append(
                f"1. Kies een wachtwoord via de link in de e-mail, of via deze link (werkt één "
                f"keer): {done.password_link}"
            )
            second_factor = (
                f"2. Log direct daarna in dezelfde browser in op {base}/account/inloggen/ en "
                "stel tweestapsverificatie in: Schakelpunt toont dan meteen een QR-code voor een "
                "authenticator-app (verplicht voor de beheerder). Wie later inlogt, krijgt eerst "
                "een code per e-mail."
            )
        else:
            lines.append(f"1. Log in op {base}/account/inloggen/ met {admin.email}.")
            second_factor = (
                "2. Stel tweestapsverificatie in: na het inloggen vraagt Schakelpunt een code "
                "die per e-mail komt, en daarna scant u een QR-code met een authenticator-app "
                "(verplicht voor de beheerder)."
            )
        lines += [
            second_factor,
            f"3. Richt de instelling in: locaties, opleidingsteams en opleidingen op "
            f"{base}/beheer/instelling/ (of importeer ze; voorbeeld: "
            f"{base}/voorbeelden/opleidingen.csv).",
            f"4. Kies de vakantieregio en zet studiedagen en andere vrije dagen op "
            f"{base}/schoolkalender/.",
            f"5. Importeer de studenten op {base}/studenten/importeren/ (voorbeeld: "
            f"{base}/voorbeelden/studenten.csv).",
            f"6. Lees het verzuim in op {base}/verzuim/importeren/ (voorbeeld: "
            f"{base}/voorbeelden/verzuim.csv).",
            f"7. Nodig collega's, studenten en ouders uit op {base}/beheer/mensen/.",
            "",
            "Uitleg: docs/first-install.md.",
        ]
        return "\n".join(lines)

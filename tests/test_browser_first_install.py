"""From an empty database to a working institution, in a real browser (issue 17's "done
when"): no demo and no shell in between, only `schakelpunt setup` and the screens, with the
example files a school downloads from the import screens."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.signals.models import AbsenceRecord
from schakelpunt.students.models import Student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "schakelpunt" / "core" / "examples"
PASSWORD_LINK = re.compile(r"(https?://\S+/account/wachtwoord-herstellen/\S+/)")


def choose_password(page, link: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """The invitation link: choose a password (this also proves the mailbox for 2FA)."""
    page.goto(link)
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)
    page.get_by_role("button", name="Wachtwoord opslaan").click()


def log_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def set_up_second_factor(page, email: str) -> None:  # type: ignore[no-untyped-def]
    """Schakelpunt asks for an authenticator app; the test is the app (the device's key)."""
    page.wait_for_url(re.compile(r"/account/tweestaps/instellen/"))
    expect(page.get_by_text("Scan deze QR-code met de app.")).to_be_visible()
    device = TOTPDevice.objects.get(user__email=email, confirmed=False)
    token = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    page.get_by_label("Code uit uw authenticator-app").fill(token)
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_text("Tweestapsverificatie staat aan.")).to_be_visible()


def invitation_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    found = PASSWORD_LINK.search(message.body)
    assert found is not None
    return found.group(1)


def test_from_setup_to_a_coach_and_a_student_who_see_the_file(
    live_server, page, refdata, settings
) -> None:
    settings.OTP_REQUIRED = True  # as in production: the administrator and coach need 2FA
    base = live_server.url
    assert not Organisation.objects.exists()

    # The operator runs the first-run command on the empty database.
    out = io.StringIO()
    call_command(
        "setup",
        institution_name="ROC Voorbeeld",
        brin="25XX",
        municipality="Enschede",
        admin_email="beheer@roc-voorbeeld.nl",
        admin_first_name="Fatima",
        admin_last_name="El Amrani",
        base_url=base,
        interactive=False,
        stdout=out,
    )
    printed = out.getvalue()
    assert "ROC Voorbeeld (BRIN 25XX, gemeente Enschede) is aangemaakt" in printed
    link = PASSWORD_LINK.search(printed)
    assert link is not None

    # The administrator chooses a password, logs in and sets up the second factor.
    admin_password = "beheer-wachtwoord-2026!"
    choose_password(page, link.group(1), admin_password)
    log_in(page, base, "beheer@roc-voorbeeld.nl", admin_password)
    set_up_second_factor(page, "beheer@roc-voorbeeld.nl")

    # Programmes, locations and teams from the example file on the institution screen.
    page.goto(f"{base}/beheer/instelling/")
    page.get_by_label("Bestand met opleidingen (CSV of Excel)").set_input_files(
        str(EXAMPLES / "opleidingen.csv")
    )
    page.get_by_role("button", name="Importeren").click()
    expect(page.get_by_text("Ingelezen:")).to_be_visible()

    # The school calendar: the holiday region, and a study day of its own.
    page.goto(f"{base}/schoolkalender/")
    page.get_by_label("Vakantieregio").select_option("noord")
    page.get_by_role("button", name="Regio opslaan").click()
    study_day = timezone.localdate() + timedelta(days=7)
    while study_day.weekday() != 2:  # a Wednesday, next week or the one after
        study_day += timedelta(days=1)
    page.locator("#id_eigen-name").fill("Studiedag")
    page.locator("#id_eigen-start").fill(study_day.isoformat())
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("rowheader", name="Studiedag")).to_be_visible()

    # Students, then their absence, from the example files on the import screens.
    page.goto(f"{base}/studenten/importeren/")
    assert page.get_by_role("link", name="Download het voorbeeldbestand (studenten.csv)")
    page.get_by_label("CSV-bestand uit het studentinformatiesysteem").set_input_files(
        str(EXAMPLES / "studenten.csv")
    )
    page.get_by_role("button", name="Inlezen").click()
    students = Student.objects.count()
    assert students > 0
    expect(page.get_by_text(f"Ingelezen: {students} nieuw, 0 bijgewerkt")).to_be_visible()

    page.goto(f"{base}/verzuim/importeren/")
    page.get_by_label("Verzuimbestand (CSV of Excel)").set_input_files(
        str(EXAMPLES / "verzuim.csv")
    )
    page.get_by_role("button", name="Inlezen").click()
    records = AbsenceRecord.objects.count()
    assert records > 0
    expect(page.get_by_text(f"Ingelezen: {records} nieuw, 0 vervangen")).to_be_visible()

    # A coach into the team of Sanne's programme, and Sanne linked to her record.
    sanne = Student.objects.get(student_number="2025001")
    team = sanne.programme.team
    page.goto(f"{base}/beheer/mensen/")
    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_label("E-mailadres").fill("p.dekker@roc-voorbeeld.nl")
    page.get_by_label("Voornaam").fill("Petra")
    page.get_by_label("Achternaam").fill("Dekker")
    page.get_by_label("Organisatie").select_option(label="ROC Voorbeeld")
    page.get_by_label("Rol").select_option("coach")
    page.get_by_label("Opleidingsteam").select_option(str(team.pk))
    page.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_text("p.dekker@roc-voorbeeld.nl heeft de rol")).to_be_visible()

    page.goto(f"{base}/beheer/mensen/")
    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_label("E-mailadres").fill(sanne.email)
    page.get_by_label("Voornaam").fill(sanne.first_name)
    page.get_by_label("Achternaam").fill(sanne.last_name)
    page.get_by_label("Organisatie").select_option(label="ROC Voorbeeld")
    page.get_by_label("Rol").select_option("student")
    page.get_by_label("Studentnummer").fill(sanne.student_number)
    page.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_text(f"{sanne.email} heeft de rol")).to_be_visible()
    sanne.refresh_from_db()
    assert sanne.user == User.objects.get(email=sanne.email)
    page.goto(f"{base}/beheer/mensen/")
    expect(page.get_by_role("link", name="Petra Dekker")).to_be_visible()
    expect(page.get_by_role("link", name=sanne.full_name)).to_be_visible()

    # The coach chooses a password from the e-mail, sets up 2FA and finds Sanne.
    page.context.clear_cookies()
    choose_password(page, invitation_link("p.dekker@roc-voorbeeld.nl"), "coach-wachtwoord-2026!")
    log_in(page, base, "p.dekker@roc-voorbeeld.nl", "coach-wachtwoord-2026!")
    set_up_second_factor(page, "p.dekker@roc-voorbeeld.nl")
    page.goto(f"{base}/studenten/")
    page.get_by_role("link", name=re.compile("Sanne")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Sanne")).first).to_be_visible()
    expect(page.get_by_text("2025001").first).to_be_visible()

    # Sanne does the same (a student needs no second factor) and opens her own file.
    page.context.clear_cookies()
    choose_password(page, invitation_link(sanne.email), "sanne-wachtwoord-2026!")
    log_in(page, base, sanne.email, "sanne-wachtwoord-2026!")
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Naar mijn dossier").click()
    expect(page.get_by_role("heading", name="Mijn dossier")).to_be_visible()
    expect(page.get_by_text(sanne.full_name).first).to_be_visible()
    expect(page.get_by_text(sanne.programme.name).first).to_be_visible()

"""E-mail a service queues after commit: the invitation with its .ics file.

A delivery reads what the service saved and sends it; it calls no service, so services may
queue it (tasks.py holds the jobs that call services, and services never import tasks).
"""

from django.core.mail import EmailMessage
from huey.contrib.djhuey import db_task

from schakelpunt.core.dates import moment_in_words

from .ics import meeting_ics
from .models import Participant, ParticipantKind


@db_task(retries=3, retry_delay=60)
def send_meeting_invitation(participant_id: int, base_url: str) -> None:
    participant = (
        Participant.objects.select_related("meeting__chair").filter(pk=participant_id).first()
    )
    if participant is None or not participant.email:
        return
    meeting = participant.meeting
    when = moment_in_words(meeting.starts_at)
    where = f", {meeting.place}" if meeting.place else ""
    site = base_url.rstrip("/")
    if participant.kind == ParticipantKind.STUDENT:  # the student is addressed with "je"
        subject = f"Uitnodiging: gesprek over jou ({when})"
        body = (
            f"Hoi {participant.name},\n\nJe bent uitgenodigd voor een gesprek over jou op "
            f"{when}{where}.\nIn Schakelpunt zie je je dossier: {site}/studenten/mijn-dossier/"
            "\n\nDe afspraak voor je agenda zit in de bijlage."
        )
    else:
        subject = f"Uitnodiging: {meeting.title} ({when})"
        body = (
            f"Beste {participant.name},\n\nU bent uitgenodigd voor {meeting.title} op {when}"
            f"{where}.\nDe voorbereiding staat in Schakelpunt: {site}/overleg/{meeting.pk}/"
            "\n\nDe uitnodiging voor uw agenda zit in de bijlage."
        )
    message = EmailMessage(subject=subject, body=body, to=[participant.email])
    message.attach(
        "uitnodiging.ics", meeting_ics(meeting, attendee_email=participant.email), "text/calendar"
    )
    message.send()

"""The invitation as an iCalendar file (RFC 5545), for the participant's own agenda."""

from datetime import timedelta

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting, MeetingStatus


def meeting_ics(meeting: Meeting, *, attendee_email: str = "") -> bytes:
    """One VEVENT; the same UID and a higher SEQUENCE for an update or a cancellation.

    It names the meeting and its place, never a student: the calendar lives outside
    Schakelpunt."""
    calendar = Calendar()
    calendar.add("prodid", "-//Schakelpunt//Overleg//NL")
    calendar.add("version", "2.0")
    cancelled = meeting.status == MeetingStatus.CANCELLED
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{meeting.uid}@schakelpunt")
    event.add("sequence", meeting.version)
    event.add("dtstamp", meeting.created_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    link = f"{settings.SITE_URL.rstrip('/')}/overleg/{meeting.pk}/"
    event.add("description", f"Voorbereiding en verslag in Schakelpunt: {link}")
    event.add("url", link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.chair.email:
        organizer = vCalAddress(f"mailto:{meeting.chair.email}")
        organizer.params["cn"] = vText(str(meeting.chair))
        event["organizer"] = organizer
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()

"""Minutes per student on the agenda. A meeting about one student: its minutes move to that
student's agenda item (and so are read per the access policy). A meeting about several
students keeps its minutes as the general part, which only those who may see the support of
every student on the agenda read."""

from django.db import migrations, models


def move_minutes_to_the_single_item(apps, schema_editor):  # type: ignore[no-untyped-def]
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for meeting in Meeting.objects.exclude(notes="").iterator():
        items = list(AgendaItem.objects.filter(meeting=meeting)[:2])
        if len(items) != 1:
            continue
        items[0].minutes = meeting.notes
        items[0].save(update_fields=["minutes"])
        meeting.notes = ""
        meeting.save(update_fields=["notes"])


def move_minutes_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for item in AgendaItem.objects.exclude(minutes="").select_related("meeting").iterator():
        meeting = item.meeting
        meeting.notes = "\n\n".join(part for part in (meeting.notes, item.minutes) if part)
        meeting.save(update_fields=["notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="minutes",
            field=models.TextField(blank=True, verbose_name="verslag over deze student"),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="notes",
            field=models.TextField(
                blank=True, verbose_name="verslag (algemeen, zonder gegevens over studenten)"
            ),
        ),
        migrations.RunPython(move_minutes_to_the_single_item, move_minutes_back),
    ]

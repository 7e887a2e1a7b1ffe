"""A meeting that was marked held before it began (a decision saved beforehand did that) is
planned again: it is held once it has begun. Approved minutes are left as they are."""

from django.db import migrations
from django.utils import timezone


def plan_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    Meeting = apps.get_model("meetings", "Meeting")
    Meeting.objects.filter(status="held", starts_at__gt=timezone.now()).update(status="planned")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_minutes_per_agenda_item"),
    ]

    operations = [migrations.RunPython(plan_again, migrations.RunPython.noop)]

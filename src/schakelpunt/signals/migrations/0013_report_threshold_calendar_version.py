"""A statutory report keeps the day its threshold was reached apart from its end date, and
which version of the school calendar the rules used."""

from django.db import migrations, models


def threshold_from_end(apps, schema_editor):
    report = apps.get_model("signals", "AbsenceReport")
    report.objects.update(threshold_on=models.F("end_date"))


class Migration(migrations.Migration):
    dependencies = [
        ("signals", "0012_concern_trajectory"),
        ("students", "0006_basic_qualification_on_parent_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="absencereport",
            name="threshold_on",
            field=models.DateField(null=True, verbose_name="drempel bereikt op"),
        ),
        migrations.RunPython(threshold_from_end, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="absencereport",
            name="threshold_on",
            field=models.DateField(verbose_name="drempel bereikt op"),
        ),
        migrations.RemoveConstraint(
            model_name="absencereport", name="one_report_per_kind_and_end"
        ),
        migrations.AddConstraint(
            model_name="absencereport",
            constraint=models.UniqueConstraint(
                fields=("student", "kind", "threshold_on"),
                name="one_report_per_kind_and_threshold",
            ),
        ),
        migrations.AlterField(
            model_name="absencereport",
            name="end_date",
            field=models.DateField(blank=True, null=True, verbose_name="einddatum"),
        ),
        migrations.AddField(
            model_name="absencereport",
            name="calendar_version",
            field=models.PositiveIntegerField(default=0, verbose_name="versie schoolkalender"),
        ),
        migrations.AddField(
            model_name="signalsettings",
            name="calendar_version",
            field=models.PositiveIntegerField(default=0, verbose_name="versie schoolkalender"),
        ),
    ]

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("signals", "0017_absence_partitioned_by_school_year"),
        ("signals", "0017_morning_run_shards"),
    ]

    operations = []

from django.db import migrations


def load(apps, schema_editor):
    from schakelpunt.refdata.loader import load_school_holidays

    load_school_holidays(RegionalHoliday=apps.get_model("refdata", "RegionalHoliday"))


class Migration(migrations.Migration):
    dependencies = [("refdata", "0003_regional_holidays")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]

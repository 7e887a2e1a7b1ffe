from django.db import migrations


def load(apps, schema_editor):
    from schakelpunt.refdata.loader import load_reference_data

    load_reference_data(
        RmcRegion=apps.get_model("refdata", "RmcRegion"),
        Municipality=apps.get_model("refdata", "Municipality"),
        PostcodeArea=apps.get_model("refdata", "PostcodeArea"),
    )


class Migration(migrations.Migration):
    dependencies = [("refdata", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]

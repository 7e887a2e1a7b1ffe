from django.db import migrations

STREAMS = [
    ("vsv", "VSV-middelen", "region", "Regionale middelen voortijdig schoolverlaten (rijk, via de contactgemeente)"),
    ("rmc-plus", "RMC-plusmiddelen", "region", "Aanvullende middelen voor jongeren in een kwetsbare positie"),
    ("jeugdwet", "Jeugdwet", "municipality", "Jeugdhulp tot 18 jaar (verlengd tot 23), betaald door de woongemeente"),
    ("wmo", "Wmo 2015", "municipality", "Maatschappelijke ondersteuning vanaf 18 jaar, woongemeente"),
    ("participatiewet", "Participatiewet", "municipality", "Werk en inkomen, woongemeente"),
    ("zvw", "Zorgverzekeringswet", "insurer", "Zorg uit het basispakket, betaald door de zorgverzekeraar"),
    ("school", "Eigen budget school / passend onderwijs", "school", "Middelen van de instelling zelf"),
    ("fondsen", "Fondsen", "fund", "Fondsen en subsidies voor een bepaalde tijd"),
]


def add(apps, schema_editor):
    stream = apps.get_model("funding", "FundingStream")
    for code, name, payer, description in STREAMS:
        stream.objects.get_or_create(
            code=code, defaults={"name": name, "payer": payer, "description": description}
        )


def remove(apps, schema_editor):
    apps.get_model("funding", "FundingStream").objects.filter(
        code__in=[code for code, *_rest in STREAMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]

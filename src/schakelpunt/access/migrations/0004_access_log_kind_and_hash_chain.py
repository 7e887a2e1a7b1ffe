"""List events and the hash chain's columns; the chain's end in a row of its own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0003_access_log_append_only_guard")]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="kind",
            field=models.CharField(
                choices=[("detail", "dossier"), ("list", "lijst")],
                default="detail",
                max_length=10,
                verbose_name="soort",
            ),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="volgnummer"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AccessLogChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                (
                    "length",
                    models.PositiveBigIntegerField(default=0, verbose_name="aantal regels"),
                ),
                ("last_hash", models.CharField(max_length=64, verbose_name="laatste hash")),
            ],
            options={
                "verbose_name": "einde van de keten van het toegangslog",
                "verbose_name_plural": "einde van de keten van het toegangslog",
            },
        ),
    ]

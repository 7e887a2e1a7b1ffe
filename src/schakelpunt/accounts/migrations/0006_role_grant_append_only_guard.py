"""The database itself refuses to change recorded role grants (on PostgreSQL also to delete
them), as for the access log."""

from django.db import migrations

from schakelpunt.core.append_only import append_only_guard


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_role_grants_setup_codes_managed_organisations")]

    operations = [append_only_guard("accounts_rolegrant")]

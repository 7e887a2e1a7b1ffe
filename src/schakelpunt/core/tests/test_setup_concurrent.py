"""`schakelpunt setup` run twice at the same moment makes one institution, not two (on
PostgreSQL; SQLite writes one transaction at a time)."""

import threading
import time

import pytest
from django.db import connection, transaction

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.core.first_install import AlreadyInstalled, first_install

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent first runs need PostgreSQL"
    ),
]


def _install(name: str, email: str) -> None:
    first_install(
        institution_name=name,
        brin="",
        municipality="",
        admin_email=email,
        admin_first_name="Fatima",
        admin_last_name="El Amrani",
        password="een-lang-wachtwoord-2026!",
        base_url="http://testserver",
    )


def test_two_first_runs_at_once_make_one_institution() -> None:
    first_made = threading.Event()
    second: list[BaseException] = []

    def first_run() -> None:
        try:
            with transaction.atomic():
                _install("ROC Een", "beheer@roc-een.nl")
                first_made.set()
                time.sleep(1.5)  # not committed yet while the second run checks
        finally:
            connection.close()

    def second_run() -> None:
        first_made.wait(10)
        try:
            _install("ROC Twee", "beheer@roc-twee.nl")
        except AlreadyInstalled as refused:
            second.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_run), threading.Thread(target=second_run)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    names = list(
        Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION).values_list(
            "name", flat=True
        )
    )
    assert names == ["ROC Een"]
    assert len(second) == 1 and "ROC Een" in " ".join(second[0].messages)

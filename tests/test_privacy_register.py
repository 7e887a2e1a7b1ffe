"""The register of processing activities accounts for every table: a model with personal data
and no entry fails here, a table declared free of personal data may not hide any, and
docs/privacy.md repeats the retention periods, legal sources and legal bases of the code."""

from pathlib import Path

import pytest
from django.apps.registry import Apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation

from schakelpunt.privacy.register import (
    ACTIVITIES,
    BASIS_ARTICLES,
    CATEGORY_SUBJECTS,
    MODEL_CATEGORIES,
    MODEL_HOLDS,
    NO_PERSONAL_DATA,
    RETENTION,
    Activity,
    DataCategory,
    LegalBasis,
)
from schakelpunt.privacy.register_selectors import (
    doubly_registered,
    hidden_personal_data,
    installed_models,
    period_text,
    stale_entries,
    unregistered_models,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"


def assert_register_complete(registry: Apps) -> None:
    """The check of (a), reusable on another set of models."""
    missing = unregistered_models(registry)
    assert missing == [], (
        f"No entry in the register for {missing}: add each to MODEL_CATEGORIES in "
        "schakelpunt/privacy/register.py (with what it holds in MODEL_HOLDS), or, if it holds "
        "no personal data at all, to NO_PERSONAL_DATA with the reason"
    )


def test_every_installed_model_is_in_exactly_one_of_the_two_lists():
    from django.apps import apps

    assert_register_complete(apps)
    assert doubly_registered() == []
    assert stale_entries() == []
    # Third-party tables too: the login protection and the second factor hold personal data.
    assert {"axes.AccessAttempt", "otp_totp.TOTPDevice", "sessions.Session"} <= set(
        MODEL_CATEGORIES
    )
    assert "contenttypes.ContentType" in NO_PERSONAL_DATA
    assert len(installed_models()) == len(MODEL_CATEGORIES) + len(NO_PERSONAL_DATA)


@isolate_apps("schakelpunt.privacy")
def test_a_new_model_without_an_entry_fails_the_register_check():
    class SchoolReport(models.Model):  # a table someone adds and forgets to register
        student_number = models.CharField(max_length=20)
        grade = models.CharField(max_length=5)

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return str(self.pk)

    registry = SchoolReport._meta.apps
    assert unregistered_models(registry) == ["privacy.SchoolReport"]
    with pytest.raises(AssertionError, match=r"privacy\.SchoolReport"):
        assert_register_complete(registry)


def test_no_table_declared_free_of_personal_data_holds_any():
    assert hidden_personal_data() == {}


@isolate_apps("schakelpunt.privacy")
def test_personal_data_cannot_be_hidden_in_the_list_without_personal_data():
    class Survey(models.Model):
        respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        pupil = models.ForeignKey("students.Student", on_delete=models.CASCADE)
        contact_email = models.EmailField()
        date_of_birth = models.DateField()
        name = models.CharField(max_length=50)
        postal_code = models.CharField(max_length=7)
        score = models.IntegerField()

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return str(self.pk)

    found = hidden_personal_data(Survey._meta.apps, ["privacy.Survey"])
    fields = {reason.split(" ")[0] for reason in found["privacy.Survey"]}
    assert fields == {
        "respondent",
        "pupil",
        "contact_email",
        "date_of_birth",
        "name",
        "postal_code",
    }


def test_every_category_has_a_retention_rule_and_every_activity_an_entry():
    used = {category for categories in MODEL_CATEGORIES.values() for category in categories}
    assert used - set(RETENTION) == set()
    assert set(RETENTION) == set(DataCategory)
    assert set(ACTIVITIES) == set(Activity)
    for activity, entry in ACTIVITIES.items():
        assert entry.activity == activity
        assert set(entry.categories) <= set(RETENTION)
        assert entry.legal_source.strip()
    # Every category held in a table belongs to a purpose, not only to the deletion job.
    in_purposes = {
        c for a, entry in ACTIVITIES.items() if a != Activity.RETENTION for c in entry.categories
    }
    assert used - in_purposes == set()
    assert set(MODEL_HOLDS) == set(MODEL_CATEGORIES)
    assert set(BASIS_ARTICLES) == set(LegalBasis)
    assert set(CATEGORY_SUBJECTS) == set(DataCategory)  # about whom, for every category


def _docs() -> str:
    return DOCS.read_text(encoding="utf-8")


def test_docs_name_each_retention_period_with_its_start_and_legal_source():
    lines = _docs().splitlines()
    with translation.override("nl"):
        for category, rule in RETENTION.items():
            cells = [
                f"| {category.label} |",
                f"| {period_text(rule) or '—'} |",
                f"| {rule.starts} |",
                f"| {rule.legal_source} |",
            ]
            rows = [line for line in lines if all(cell in line for cell in cells)]
            assert rows, f"docs/privacy.md has no row {' … '.join(cells)}"


def test_docs_name_the_article_of_each_legal_basis_and_the_law_of_each_activity():
    docs = _docs()
    for basis, article in BASIS_ARTICLES.items():
        assert article in docs, basis
    with translation.override("nl"):
        for entry in ACTIVITIES.values():
            assert entry.legal_source in docs, entry.activity
            assert str(entry.activity.label) in docs, entry.activity

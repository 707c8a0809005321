"""The migration that stores account addresses in their normalised form (issue 12 #7)."""

import importlib

import pytest
from django.apps import apps

from contacts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def account_emails_normalise():
    migration = importlib.import_module("contacts.migrations.0008_account_emails_normalised")
    migration.account_emails_normalise(apps, None)


def test_migration_normalises_stored_account_addresses():
    user = UserFactory(email="sprecherin@example.org")
    User.objects.filter(pk=user.pk).update(email="ſprecherin@Example.org")

    account_emails_normalise()

    assert User.objects.values_list("email", flat=True).get(pk=user.pk) == "sprecherin@example.org"


def test_migration_names_addresses_that_would_clash():
    UserFactory(email="sprecherin@example.org")
    second = UserFactory(email="zweite@example.org")
    User.objects.filter(pk=second.pk).update(email="ſprecherin@example.org")

    with pytest.raises(RuntimeError) as error:
        account_emails_normalise()

    assert str(error.value).endswith(": sprecherin@example.org, ſprecherin@example.org")
    assert sorted(User.objects.values_list("email", flat=True)) == ["sprecherin@example.org", "ſprecherin@example.org"]

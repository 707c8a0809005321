import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory


@pytest.fixture
def staff(client):
    """A Sozialplanung staff member (group, not superuser), logged in."""
    user = UserFactory(email="fb56@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Sozialplanung"))
    client.force_login(user)
    return user

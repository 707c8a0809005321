import datetime

from django.contrib.auth.base_user import BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from contacts.clients import email_normalize


class UserManager(BaseUserManager):
    """Accounts keyed by e-mail address, stored normalised (NFKC, case-folded:
    ``contacts.clients.email_normalize``) so that logins are looked up, counted and kept
    unique by one form of the address."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("Eine E-Mail-Adresse ist nötig.")
        user = self.model(email=email_normalize(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str):
        # Not email__iexact: PostgreSQL's UPPER() folds more than Python's lower() (U+017F
        # "ſ" is "S"), so a lookup by it would find an account under a second spelling.
        return self.get(email=email_normalize(username))


class MembershipQuerySet(models.QuerySet):
    def active(self, day: datetime.date | None = None) -> "MembershipQuerySet":
        """Memberships whose term includes ``day`` (default: today in Europe/Berlin)."""
        day = day or timezone.localdate()
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))

    def leading(self) -> "MembershipQuerySet":
        """Speakers, deputies and Geschäftsführung."""
        return self.filter(role__in=self.model.LEADING_ROLES)

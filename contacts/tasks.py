"""Thin Celery tasks: each calls one service."""

import logging

from celery import shared_task

from contacts.models import User
from contacts.services import password_reset_mail_send
from contacts.services.privacy import account_invitations_expire
from contacts.services.self_service import account_email_change_mail_send

logger = logging.getLogger(__name__)


@shared_task(name="contacts.password_reset_send", acks_late=True)
def password_reset_send(*, user_id: int) -> None:
    """Send the password-reset mail that ``password_reset_request`` queued."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("Password-reset mail for account %s skipped: no such active account", user_id)
        return
    password_reset_mail_send(user=user)


@shared_task(name="contacts.email_change_send", acks_late=True)
def email_change_send(*, user_id: int, email: str) -> None:
    """Send the confirmation link that ``account_email_change_request`` queued."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("E-mail change link for account %s skipped: no such active account", user_id)
        return
    account_email_change_mail_send(user=user, email=email)


@shared_task(name="contacts.invitations_expire", acks_late=True)
def invitations_expire() -> int:
    """Close accounts whose invitation link expired unused (retention, daily)."""
    return account_invitations_expire()


@shared_task(name="contacts.import_execute", acks_late=True, ignore_result=True, soft_time_limit=600, time_limit=660)
def import_execute_task(*, run_id: int) -> None:
    """Import a queued member list; a run another worker holds, or a finished one, is left alone."""
    from contacts.services.imports import import_execute

    if import_execute(run_id=run_id) is None:
        logger.info("Import %s not claimed (held by another worker, or not queued)", run_id)


@shared_task(name="contacts.imports_resume", acks_late=True, ignore_result=True)
def imports_resume_task() -> None:
    """Beat sends this every minute: queue imports whose worker died or whose task was lost."""
    from contacts.services.imports import imports_resume

    imports_resume()

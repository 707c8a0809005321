"""Mail from the directory leaves through the delivery log: what a test needs to see it."""

from notifications.services import delivery_send, notifications_sweep


def due_mail_send() -> None:
    """Do now what the periodic sweep and a worker would: plan the owed mail and send it."""
    for pk in notifications_sweep().enqueued:
        delivery_send(delivery_id=pk)

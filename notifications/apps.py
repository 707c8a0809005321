from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Benachrichtigungen")

    def ready(self) -> None:
        from contacts.signals import network_left
        from notifications.services.privacy import network_left_notice_plan

        network_left.connect(network_left_notice_plan, dispatch_uid="notifications.network_left")

        from meetings.signals import guests_changed
        from notifications.services.guests import guests_changed_receive

        guests_changed.connect(guests_changed_receive, dispatch_uid="notifications.guests_changed")

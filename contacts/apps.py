from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Verzeichnis")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from contacts.textsearch import sqlite_fold_register

        connection_created.connect(sqlite_fold_register, dispatch_uid="contacts.sqlite_fold_register")

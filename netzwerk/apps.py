from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetzwerkConfig(AppConfig):
    name = "netzwerk"
    verbose_name = _("Netzwerk")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from meetings.signals import meetings_written
        from netzwerk.public_cache import public_cache_meetings_written, public_cache_model_changed

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(public_cache_model_changed, dispatch_uid="netzwerk-public-cache")
        meetings_written.connect(public_cache_meetings_written, dispatch_uid="netzwerk-public-cache-meetings")

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """When a periodic job last ran in a worker; ``/healthz`` reports its age."""

    name = models.CharField(_("Aufgabe"), max_length=60, unique=True)
    last_run_at = models.DateTimeField(_("zuletzt gelaufen"))
    run_count = models.PositiveBigIntegerField(_("Läufe"), default=0)

    class Meta:
        verbose_name = _("regelmäßige Aufgabe")
        verbose_name_plural = _("regelmäßige Aufgaben")

    def __str__(self) -> str:
        return self.name

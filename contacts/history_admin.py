"""The „Verlauf“ of an entry in the Verwaltung: every version, who made it, what changed.

Replaces Django's own history page (its LogEntry list knows no values) with the versions
django-simple-history records, and lets staff give a field back the value it had before a
change. The restore goes through the entry's service (``history_field_restore``), never
through a raw save of an old version.
"""

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from contacts.history import SYSTEM
from contacts.selectors.history import entry_history_querysets, user_labels, versions_of
from contacts.services.history import RESTORERS, history_field_restore, restorable_fields
from contacts.visibility import SOZIALPLANUNG

VERSIONS_PER_PAGE = 50


def version_rows(versions, users: dict[int, str], restorable: dict[str, set[str]]) -> list[dict]:
    """What ``contacts/_versions.html`` shows of each version: who, and each change with
    whether it can be undone here (a change after an earlier version, of a restorable field)."""
    return [
        {
            "version": version,
            "who": users.get(version.user_id, SYSTEM) if version.user_id else SYSTEM,
            "changes": [
                (
                    change,
                    version.kind == "~"
                    and version.previous_history_id is not None
                    and change.name in restorable.get(version.model_key, ()),
                )
                for change in version.changes
            ],
        }
        for version in versions
    ]


class VersionHistoryAdmin:
    """Mix into a ``ModelAdmin`` whose model keeps a history."""

    history_restorers = RESTORERS

    def history_querysets(self, obj) -> list:
        return entry_history_querysets(obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST":
            return self._history_restore(request, obj)
        versions = versions_of(self.history_querysets(obj), audience=SOZIALPLANUNG)
        page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("seite"))
        may_restore = self.has_change_permission(request, obj)
        restorable = {
            model._meta.label_lower: set(restorable_fields(model, self.history_restorers))
            for model in {version.model for version in page}
        }
        users = user_labels([version.user_id for version in page], audience=SOZIALPLANUNG)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Verlauf: %(entry)s") % {"entry": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "page_obj": page,
            "rows": version_rows(page, users, restorable if may_restore else {}),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/version_history.html", context)

    def _history_restore(self, request, obj):
        """POST: ``model`` (app_label.model), ``version`` (history id of the version whose
        value comes back) and ``field``."""
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            model = apps.get_model(request.POST.get("model", ""))
            history_id = int(request.POST.get("version", ""))
        except (LookupError, ValueError):
            messages.error(request, _("Die Angaben zur Wiederherstellung sind unvollständig."))
            return HttpResponseRedirect(request.path)
        if model not in self.history_restorers or not self._version_belongs(obj, model, history_id):
            messages.error(request, _("Diese Fassung gehört nicht zu diesem Eintrag."))
            return HttpResponseRedirect(request.path)
        field = request.POST.get("field", "")
        try:
            history_field_restore(
                model=model, history_id=history_id, field=field, actor=request.user, restorers=self.history_restorers
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            label = model._meta.get_field(field).verbose_name
            messages.success(request, _("„%(field)s“ hat wieder den früheren Wert.") % {"field": label})
        return HttpResponseRedirect(request.path)

    def _version_belongs(self, obj, model, history_id: int) -> bool:
        return any(
            queryset.model.instance_type is model and queryset.filter(history_id=history_id).exists()
            for queryset in self.history_querysets(obj)
        )

"""Planning for speakers: single meetings, series with the rule builder, one occurrence's
changes, the agenda editor and the minutes.

Every form has a "Vorschau" step that works without JavaScript: it shows the rule in plain
German, the next dates and the conflict hints (``meetings.conflicts``) — warnings only;
"Speichern" always saves what is valid. Writes go through ``meetings.services``; their
German ``ValidationError`` lands on the form field it concerns, and nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from meetings import conflicts, selectors, services
from meetings.forms import (
    AgendaItemForm,
    AgendaResultForm,
    DocumentEditForm,
    DocumentForm,
    MeetingCancelForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    MinutesFromAgendaForm,
    SeriesCancelForm,
    SeriesForm,
)
from meetings.models import Minutes
from meetings.views.access import (
    guarded,
    managed_agenda_item,
    managed_document,
    managed_meeting,
    managed_network,
    managed_series,
)
from meetings.views.pages import meeting_context

PREVIEW = "vorschau"


def _is_preview(request) -> bool:
    return request.POST.get("aktion") == PREVIEW


def _form_flow(request, form, context: dict, *, template: str, preview, save):
    """GET shows the form. POST with "Vorschau" adds ``preview()`` to the page and saves
    nothing; otherwise ``save()`` writes and returns the redirect, or its German
    ``ValidationError`` lands on the form's fields (status 400, nothing written)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if _is_preview(request):
                context.update(preview())
            else:
                try:
                    return save()
                except ValidationError as error:
                    form.errors_from_service(error, getattr(form, "SERVICE_FIELDS", None))
        if form.errors:
            status = 400
    return render(request, template, context, status=status)


def _conflicts(form, network, slots, **exclude) -> list[conflicts.Conflict]:
    data = form.cleaned_data
    return conflicts.conflicts_for(
        network=network,
        slots=slots,
        institution=data.get("institution"),
        address=data.get("address", ""),
        **exclude,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def meeting_create(request, slug: str):
    """Plan a single meeting."""
    network = managed_network(request, slug)
    form = MeetingForm(request.POST or None, partner_choices=selectors.partner_choices(user=request.user, host=network))

    def preview():
        values = form.meeting_values()
        return {"preview": True, "conflicts": _conflicts(form, network, [(values["start"], values["end"])])}

    def save():
        meeting = services.meeting_schedule(
            network=network, actor=request.user, partner_networks=form.partners(), **form.meeting_values()
        )
        messages.success(request, _("Die Sitzung ist geplant."))
        return redirect("meetings:meeting_detail", uid=meeting.uid)

    context = {"network": network, "form": form}
    return _form_flow(request, form, context, template="meetings/meeting_form.html", preview=preview, save=save)


def _series_preview(form: SeriesForm, network, **exclude) -> dict:
    slots = form.slots(since=timezone.localdate())
    return {
        "preview": True,
        "description": form.description(),
        "next_dates": [start for start, _end in slots[: SeriesForm.PREVIEW_DATES]],
        "conflicts": _conflicts(form, network, slots, **exclude),
        "occurrence_count": len(slots),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def series_create(request, slug: str):
    """Plan a series with the rule builder; "Vorschau" shows the rule, dates and hints first."""
    network = managed_network(request, slug)
    form = SeriesForm(request.POST or None)

    def save():
        series = services.series_create(network=network, actor=request.user, **form.series_values())
        messages.success(
            request,
            _("Die Serie „%(title)s“ ist angelegt: %(rule)s.") % {"title": series.title, "rule": series.description},
        )
        return redirect("meetings:network_calendar", slug=network.slug)

    context = {"network": network, "form": form}
    return _form_flow(
        request,
        form,
        context,
        template="meetings/series_form.html",
        preview=lambda: _series_preview(form, network),
        save=save,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def series_edit(request, pk: int):
    """Change a series: future occurrences not edited by hand follow; past ones never change."""
    series = managed_series(request, pk)
    network = series.network
    form = SeriesForm(request.POST or None, initial=SeriesForm.initial_for(series))

    def save():
        values = form.series_values()
        changes = {name: value for name, value in values.items() if getattr(series, name) != value}
        services.series_update(series=series, actor=request.user, **changes)
        messages.success(request, _("Die Serie ist geändert; künftige Termine folgen der Änderung."))
        return redirect("meetings:network_calendar", slug=network.slug)

    context = {
        "network": network,
        "form": form,
        "series": series,
        "cancel_form": SeriesCancelForm(prefix="absage"),
        "unconfirmed_count": selectors.series_unconfirmed_count(series),
    }
    return _form_flow(
        request,
        form,
        context,
        template="meetings/series_form.html",
        preview=lambda: _series_preview(form, network, exclude_series_id=series.pk),
        save=save,
    )


@require_POST
@guarded
def series_confirm(request, pk: int):
    """Confirm all future occurrences of a series in one step (and those created later)."""
    series = managed_series(request, pk)
    count = services.series_confirm(series=series, actor=request.user)
    messages.success(
        request,
        ngettext(
            "Die Serie ist bestätigt (%(count)s Termin); die Mitglieder werden rechtzeitig eingeladen.",
            "Die Serie ist bestätigt (%(count)s Termine); die Mitglieder werden rechtzeitig eingeladen.",
            count,
        )
        % {"count": count},
    )
    return redirect("meetings:series_edit", pk=series.pk)


@require_POST
@guarded
def series_cancel(request, pk: int):
    """Cancel a series from a day on."""
    series = managed_series(request, pk)
    cancel_form = SeriesCancelForm(request.POST, prefix="absage")
    if cancel_form.is_valid():
        try:
            count = services.series_cancel_from(
                series=series,
                day=cancel_form.cleaned_data["day"],
                reason=cancel_form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            cancel_form.errors_from_service(error)
        else:
            messages.success(request, _("Die Serie ist abgesagt (%(count)s Termine).") % {"count": count})
            return redirect("meetings:network_calendar", slug=series.network.slug)
    context = {
        "network": series.network,
        "series": series,
        "form": SeriesForm(initial=SeriesForm.initial_for(series)),
        "cancel_form": cancel_form,
        "unconfirmed_count": selectors.series_unconfirmed_count(series),
    }
    return render(request, "meetings/series_form.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def meeting_edit(request, uid):
    """Change or move one meeting (an occurrence becomes "einzeln geändert")."""
    meeting = managed_meeting(request, uid)
    form = MeetingEditForm(
        request.POST or None,
        initial=MeetingEditForm.initial_for(meeting),
        partner_choices=selectors.partner_choices(user=request.user, host=meeting.network, meeting=meeting),
    )

    def preview():
        values = form.meeting_values()
        slots = [(values["start"], values["end"])]
        return {
            "preview": True,
            "conflicts": _conflicts(form, meeting.network, slots, exclude_meeting_ids=[meeting.pk]),
        }

    def save():
        # One transaction: a partner network the speaker may not add leaves the rest unsaved too.
        with transaction.atomic():
            if form.has_partners_field:
                services.meeting_partners_set(meeting=meeting, networks=form.partners(), actor=request.user)
            services.meeting_update(meeting=meeting, actor=request.user, **form.changes_for(meeting))
        messages.success(request, _("Die Sitzung ist geändert."))
        return redirect("meetings:meeting_detail", uid=meeting.uid)

    context = {"network": meeting.network, "form": form, "meeting": meeting}
    return _form_flow(request, form, context, template="meetings/meeting_form.html", preview=preview, save=save)


def _status_change(request, uid, service, done: str):
    meeting = managed_meeting(request, uid)
    try:
        service(meeting=meeting, actor=request.user)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    messages.success(request, done)
    return redirect("meetings:meeting_detail", uid=meeting.uid)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def meeting_cancel(request, uid):
    """Cancel one meeting (it stays visible as abgesagt): GET asks for confirmation and an
    optional reason, POST cancels. The members get the cancellation mail with the reason."""
    meeting = managed_meeting(request, uid)
    # A POST without a reason is a valid confirmation: bind the form to it even when empty.
    form = MeetingCancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.errors_from_service(error)
            else:
                messages.success(request, _("Die Sitzung ist abgesagt."))
                return redirect("meetings:meeting_detail", uid=meeting.uid)
        status = 400
    context = {"network": meeting.network, "meeting": meeting, "form": form}
    return render(request, "meetings/meeting_cancel.html", context, status=status)


@require_POST
@guarded
def meeting_restore(request, uid):
    """Undo the cancellation of one meeting."""
    return _status_change(request, uid, services.meeting_restore, _("Die Sitzung findet wieder statt."))


def _meeting_page_with(request, meeting, status: int = 400, **forms):
    return render(request, "meetings/meeting_detail.html", meeting_context(request, meeting, **forms), status=status)


@require_POST
@guarded
def agenda_add(request, uid):
    """Add a TOP at the end of the agenda."""
    meeting = managed_meeting(request, uid)
    form = AgendaItemForm(request.POST, prefix="top")
    if form.is_valid():
        services.agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Der Tagesordnungspunkt ist hinzugefügt."))
        return redirect("meetings:meeting_detail", uid=meeting.uid)
    return _meeting_page_with(request, meeting, agenda_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def agenda_edit(request, uid, item_id: int):
    """Change a TOP's title, text or visibility."""
    meeting, item = managed_agenda_item(request, uid, item_id)
    form = AgendaItemForm(request.POST or None, initial=AgendaItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Der Tagesordnungspunkt ist geändert."))
        return redirect("meetings:meeting_detail", uid=meeting.uid)
    status = 400 if form.errors else 200
    return render(
        request, "meetings/agenda_item_form.html", {"meeting": meeting, "item": item, "form": form}, status=status
    )


@require_POST
@guarded
def agenda_remove(request, uid, item_id: int):
    """Remove a TOP; the items after it move up."""
    meeting, item = managed_agenda_item(request, uid, item_id)
    services.agenda_item_remove(item=item, actor=request.user)
    messages.success(request, _("Der Tagesordnungspunkt ist entfernt."))
    return redirect("meetings:meeting_detail", uid=meeting.uid)


@require_POST
@guarded
def agenda_move(request, uid, item_id: int):
    """Move a TOP one place up or down (``richtung`` = hoch / runter)."""
    meeting, item = managed_agenda_item(request, uid, item_id)
    step = {"hoch": -1, "runter": 1}.get(request.POST.get("richtung", ""))
    if step is None:
        return HttpResponseBadRequest(_("Bitte geben Sie „hoch“ oder „runter“ als Richtung an."))
    position = max(1, item.position + step)
    if position != item.position:
        services.agenda_item_update(item=item, position=position, actor=request.user)
    return redirect("meetings:meeting_detail", uid=meeting.uid)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def agenda_result(request, uid, item_id: int):
    """After the meeting: the result of a TOP (seen by whoever sees the TOP)."""
    meeting, item = managed_agenda_item(request, uid, item_id)
    form = AgendaResultForm(request.POST if request.method == "POST" else None, initial={"result": item.result})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(item=item, result=form.cleaned_data["result"], actor=request.user)
        except ValidationError as error:
            form.errors_from_service(error)
        else:
            messages.success(request, _("Das Ergebnis zu TOP %(number)s ist gespeichert.") % {"number": item.position})
            return redirect(f"{reverse('meetings:meeting_detail', kwargs={'uid': meeting.uid})}#top-{item.pk}")
    if form.errors:
        status = 400
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "item": item,
        "form": form,
        "has_begun": meeting.start <= timezone.now(),
    }
    return render(request, "meetings/agenda_result_form.html", context, status=status)


def _minutes_anchor(meeting) -> str:
    return f"{reverse('meetings:meeting_detail', kwargs={'uid': meeting.uid})}#protokoll"


@require_POST
@guarded
def minutes_save(request, uid):
    """Save the minutes (text and/or file) as a draft, with their visibility; published
    minutes stay published, and members hear of the change only with „erneut
    benachrichtigen“."""
    meeting = managed_meeting(request, uid)
    current = Minutes.objects.filter(meeting=meeting).first()
    published = current is not None and current.is_published
    form = MinutesForm(request.POST, request.FILES, prefix="protokoll", published=published)
    if form.is_valid():
        try:
            minutes = services.minutes_save(
                meeting=meeting,
                text=form.cleaned_data["text"],
                file=form.cleaned_data["file"],
                visibility=form.cleaned_data["visibility"],
                actor=request.user,
            )
            if published and form.cleaned_data.get("notify_again"):
                services.minutes_publish(minutes=minutes, notify_again=True, actor=request.user)
        except ValidationError as error:
            form.errors_from_service(error)
        else:
            if published and form.cleaned_data.get("notify_again"):
                messages.success(request, _("Das Protokoll ist gespeichert; die Mitglieder werden benachrichtigt."))
            else:
                messages.success(request, _("Das Protokoll ist gespeichert."))
            return redirect(_minutes_anchor(meeting))
    return _meeting_page_with(request, meeting, minutes_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def minutes_from_agenda(request, uid):
    """„Protokoll aus Tagesordnung erstellen“: the draft from the agenda, the results and
    who was there. A text of its own is replaced only after a confirmation (GET, or a POST
    that meets a text, shows it; the confirmed POST carries ``replace``)."""
    meeting = managed_meeting(request, uid)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    has_text = minutes is not None and bool(minutes.text.strip())
    # A POST with no box ticked is a valid request: bind the form to it even when empty.
    form = MinutesFromAgendaForm(request.POST if request.method == "POST" else None, initial={"replace": has_text})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_draft_from_agenda(
                meeting=meeting,
                with_names=form.cleaned_data["with_names"],
                replace=form.cleaned_data["replace"],
                actor=request.user,
            )
        except services.MinutesTextExists:
            # Asked, not refused: the page shows the text that would go and asks to confirm.
            form = MinutesFromAgendaForm(initial={"with_names": form.cleaned_data["with_names"], "replace": True})
        except ValidationError as error:
            return HttpResponseBadRequest(" ".join(error.messages))
        else:
            messages.success(
                request,
                _("Der Entwurf ist aus der Tagesordnung erstellt. Bitte prüfen, ergänzen und speichern."),
            )
            return redirect(_minutes_anchor(meeting))
    elif request.method == "POST":
        status = 400
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "form": form,
        "minutes": minutes,
        "has_text": has_text,
        "has_begun": meeting.start <= timezone.now(),
    }
    return render(request, "meetings/minutes_from_agenda.html", context, status=status)


@require_POST
@guarded
def minutes_publish(request, uid):
    """Publish the saved minutes to members or the public (per their visibility); the
    members are told. On published minutes, ``erneut`` tells them again."""
    meeting = managed_meeting(request, uid)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        return HttpResponseBadRequest(_("Bitte speichern Sie zuerst ein Protokoll."))
    again = minutes.is_published and request.POST.get("erneut") == "1"
    try:
        services.minutes_publish(minutes=minutes, notify_again=again, actor=request.user)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    if again:
        messages.success(request, _("Die Mitglieder werden erneut über das Protokoll benachrichtigt."))
    else:
        messages.success(request, _("Das Protokoll ist veröffentlicht; die Mitglieder werden benachrichtigt."))
    return redirect(_minutes_anchor(meeting))


def _documents_anchor(meeting) -> str:
    return reverse("meetings:meeting_detail", kwargs={"uid": meeting.uid}) + "#unterlagen"


@require_POST
@guarded
def document_add(request, uid):
    """Upload a document for the meeting or one of its agenda items. A refused file (type,
    name, size) comes back on the form with the reason; nothing is stored."""
    meeting = managed_meeting(request, uid)
    form = DocumentForm(request.POST, request.FILES, prefix="unterlage", agenda_items=meeting.visible_agenda_items)
    if form.is_valid():
        try:
            document = services.document_add(meeting=meeting, actor=request.user, **form.document_values())
        except ValidationError as error:
            form.errors_from_service(error)
        else:
            messages.success(request, _("Die Unterlage „%(title)s“ ist hochgeladen.") % {"title": document.title})
            return redirect(_documents_anchor(meeting))
    return _meeting_page_with(request, meeting, document_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def document_edit(request, uid, document_id: int):
    """Rename a document, or change its kind, agenda item or visibility."""
    meeting, document = managed_document(request, uid, document_id)
    form = DocumentEditForm(
        request.POST or None, initial=DocumentEditForm.initial_for(document), agenda_items=meeting.visible_agenda_items
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(document=document, actor=request.user, **form.document_values())
        except ValidationError as error:
            form.errors_from_service(error)
        else:
            messages.success(request, _("Die Unterlage ist geändert."))
            return redirect(_documents_anchor(meeting))
    status = 400 if form.errors else 200
    context = {"meeting": meeting, "network": meeting.network, "document": document, "form": form}
    return render(request, "meetings/document_form.html", context, status=status)


@require_POST
@guarded
def document_remove(request, uid, document_id: int):
    """Remove a document and its file."""
    meeting, document = managed_document(request, uid, document_id)
    title = document.title
    services.document_remove(document=document, actor=request.user)
    messages.success(request, _("Die Unterlage „%(title)s“ ist entfernt.") % {"title": title})
    return redirect(_documents_anchor(meeting))


@require_POST
@guarded
def document_move(request, uid, document_id: int):
    """Move a document one place up or down (``richtung`` = hoch / runter)."""
    meeting, document = managed_document(request, uid, document_id)
    step = {"hoch": -1, "runter": 1}.get(request.POST.get("richtung", ""))
    if step is None:
        return HttpResponseBadRequest(_("Bitte geben Sie „hoch“ oder „runter“ als Richtung an."))
    services.document_move(document=document, step=step, actor=request.user)
    return redirect(_documents_anchor(meeting))

"""The pages of „Rundmail“ (``/netzwerke/<slug>/rundmails/…``, namespace ``rundmail``):
the archive members read, the speakers' compose page, preview and outbox, a member's
proposal, and the download of a linked attachment.

Thin: the predicates decide who may (``notifications.send_rundmail`` for the speakers,
``notifications.read_rundmails`` / ``propose_rundmail`` for members), the services write,
the selectors read. Refused input comes back as 400 with the German message and nothing
written.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts.models import InstitutionType, Membership, Network, Person
from contacts.selectors import user_roles
from meetings.recurrence import BERLIN
from meetings.uploads import allowed_types_text, file_response
from notifications import compose, selectors
from notifications.forms import RundmailForm, RundmailProposalForm, RundmailRejectForm, RundmailScheduleForm
from notifications.models import Delivery, Kind, Rundmail, Subject
from notifications.services import rundmail as rundmail_services

SEND_DENIED = _("Nur das Sprecher*innenteam des Netzwerks und die Sozialplanung schreiben Rundmails.")
READ_DENIED = _("Rundmails eines Netzwerks lesen nur seine Mitglieder.")


def _network_for(permission: str, denied: str):
    """Log in first; then the network of ``slug`` (404) if the user has ``permission`` on it (403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            network = Network.objects.filter(slug=slug).first()
            if network is None:
                raise Http404(_("Dieses Netzwerk gibt es nicht."))
            if not request.user.has_perm(permission, network):
                raise PermissionDenied(denied)
            return view(request, network, *args, **kwargs)

        return wrapper

    return decorator


speakers = _network_for("notifications.send_rundmail", SEND_DENIED)
members = _network_for("notifications.read_rundmails", READ_DENIED)


def _rundmail_or_404(network: Network, pk: int) -> Rundmail:
    rundmail = (
        Rundmail.objects.select_related("network", "author", "institution", "reviewed_by")
        .prefetch_related("attachments", "institution_types")
        .filter(network=network, pk=pk)
        .first()
    )
    if rundmail is None:
        raise Http404(_("Diese Rundmail gibt es nicht."))
    return rundmail


def _form_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            form.add_error(field, [message for item in errors for message in item.messages])
    else:
        form.add_error(None, error.messages)


def _files_help() -> str:
    return _(
        "Bis zu %(count)d Dateien: %(types)s, je höchstens 10 MB. Zusammen bis 5 MB gehen sie mit der Mail, "
        "größere werden verlinkt (zum Herunterladen nach der Anmeldung)."
    ) % {"count": rundmail_services.RUNDMAIL_MAX_FILES, "types": allowed_types_text()}


def _network_types(network: Network):
    today = timezone.localdate()
    ids = (
        Membership.objects.active(today)
        .filter(network=network, institution__isnull=False)
        .values_list("institution__type_id", flat=True)
    )
    return InstitutionType.objects.filter(pk__in=ids).order_by("name")


def _sees_all(user, network: Network) -> bool:
    return user.has_perm("notifications.send_rundmail", network)


# Archive (members) -------------------------------------------------------------------


@require_safe
@members
def archive(request: HttpRequest, network: Network) -> HttpResponse:
    """The Rundmails of the network that went out, newest first, as the reader may see them;
    for speakers the way to write one and to the outbox, for members to propose one."""
    roles = user_roles(request.user)
    sees_all = _sees_all(request.user, network)
    rundmails = list(selectors.rundmail_archive(network=network, person_id=roles.person_id, sees_all=sees_all))
    own = []
    if roles.person_id is not None:
        own = list(
            selectors.rundmails_for_network(
                network=network, states=[Rundmail.State.PROPOSED, Rundmail.State.REJECTED]
            ).filter(author_id=roles.person_id)
        )
    context = {
        "network": network,
        "rundmails": rundmails,
        "own_proposals": own,
        "sees_all": sees_all,
        "outbox_count": (
            selectors.rundmails_for_network(network=network, states=Rundmail.OPEN).count() if sees_all else 0
        ),
    }
    return render(request, "notifications/rundmail/archive.html", context)


@require_safe
@members
def detail(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    """One Rundmail. Members read a sent one (as the archive lists it); the speakers see
    every state, with the preview as a chosen recipient gets it, and what they can do."""
    rundmail = _rundmail_or_404(network, pk)
    roles = user_roles(request.user)
    sees_all = _sees_all(request.user, network)
    if not sees_all:
        visible = selectors.rundmail_archive(network=network, person_id=roles.person_id, sees_all=False)
        own = rundmail.author_id is not None and rundmail.author_id == roles.person_id
        if not own and not visible.filter(pk=rundmail.pk).exists():
            raise Http404(_("Diese Rundmail gibt es nicht."))
    return _detail_page(request, network, rundmail, sees_all=sees_all)


def _detail_page(request, network, rundmail, *, sees_all: bool, schedule_form=None, reject_form=None, status=200):
    now = timezone.now()
    day = now.astimezone(BERLIN).date()
    reader = Person.objects.filter(pk=user_roles(request.user).person_id).first()
    context = {
        "network": network,
        "rundmail": rundmail,
        "sees_all": sees_all,
        "attached": compose.rundmail_attached(rundmail),
        # What went out, as the reader got it (their own greeting and name).
        "text": compose.rundmail_fill(rundmail.body, person=reader, network_name=network.name),
        "subject": compose.rundmail_fill(rundmail.subject, person=reader, network_name=network.name),
    }
    if sees_all and rundmail.is_open:
        people = selectors.rundmail_preview_people(rundmail, day=day)
        chosen = None
        wanted = request.GET.get("an", "")
        if wanted.isdigit():
            chosen = next((person for person in people if person.pk == int(wanted)), None)
        chosen = chosen or (people[0] if people else None)
        total, by_mail = selectors.rundmail_recipient_counts(rundmail, day=day)
        context.update(
            people=people,
            chosen=chosen,
            preview=compose.rundmail_preview(rundmail=rundmail, person=chosen, now=now) if chosen else None,
            total=total,
            by_mail=by_mail,
            schedule_form=schedule_form or RundmailScheduleForm(),
            reject_form=reject_form or RundmailRejectForm(),
        )
    elif sees_all and rundmail.state == Rundmail.State.SENT:
        counts = dict(
            Delivery.objects.filter(subject_type=Subject.RUNDMAIL, subject_id=rundmail.pk, kind=Kind.RUNDMAIL)
            .values_list("state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        context["delivery_counts"] = [(Delivery.State(state).label, count) for state, count in sorted(counts.items())]
    return render(request, "notifications/rundmail/detail.html", context, status=status)


@require_safe
@members
def attachment(request: HttpRequest, network: Network, pk: int, attachment_pk: int) -> HttpResponse:
    """A Rundmail's file, for members who may read the Rundmail (and the speakers)."""
    rundmail = _rundmail_or_404(network, pk)
    roles = user_roles(request.user)
    if not _sees_all(request.user, network):
        visible = selectors.rundmail_archive(network=network, person_id=roles.person_id, sees_all=False)
        own = rundmail.author_id is not None and rundmail.author_id == roles.person_id
        if not own and not visible.filter(pk=rundmail.pk).exists():
            raise Http404(_("Diese Datei gibt es nicht."))
    found = next((item for item in rundmail.attachments.all() if item.pk == attachment_pk), None)
    if found is None:
        raise Http404(_("Diese Datei gibt es nicht."))
    return file_response(found.file, file_name=found.name)


# Speakers ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@speakers
def compose_page(request: HttpRequest, network: Network) -> HttpResponse:
    """Write a Rundmail; on to its preview."""
    form = RundmailForm(
        request.POST or None, request.FILES or None, types=_network_types(network), files_help=_files_help()
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                rundmail = rundmail_services.rundmail_create(
                    network=network,
                    actor=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    roles=data["roles"],
                    institution_type_ids=[kind.pk for kind in data.get("institution_types") or ()],
                    files=data["files"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                return redirect("rundmail:detail", network.slug, rundmail.pk)
        return render(request, "notifications/rundmail/compose.html", {"network": network, "form": form}, status=400)
    return render(request, "notifications/rundmail/compose.html", {"network": network, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@speakers
def edit(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    """Change a draft or a proposal before it goes out."""
    rundmail = _rundmail_or_404(network, pk)
    if rundmail.state not in (Rundmail.State.DRAFT, Rundmail.State.PROPOSED):
        raise Http404(_("Diese Rundmail kann nicht mehr geändert werden."))
    initial = {
        "subject": rundmail.subject,
        "body": rundmail.body,
        "roles": rundmail.roles,
        "institution_types": list(rundmail.institution_types.all()),
    }
    form = RundmailForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        types=_network_types(network),
        files_help=_files_help(),
    )
    context = {"network": network, "form": form, "rundmail": rundmail}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                rundmail_services.rundmail_update(
                    rundmail=rundmail,
                    actor=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    roles=data["roles"],
                    institution_type_ids=[kind.pk for kind in data.get("institution_types") or ()],
                    files=data["files"],
                    remove_attachment_ids=[int(pk) for pk in request.POST.getlist("remove") if pk.isdigit()],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                return redirect("rundmail:detail", network.slug, rundmail.pk)
        return render(request, "notifications/rundmail/compose.html", context, status=400)
    return render(request, "notifications/rundmail/compose.html", context)


@require_POST
@speakers
def schedule(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    """Send now or at the chosen moment (a draft, or a proposal approved)."""
    rundmail = _rundmail_or_404(network, pk)
    form = RundmailScheduleForm(request.POST)
    if form.is_valid():
        send_at = form.cleaned_data["send_at"] if form.cleaned_data["when"] == "spaeter" else None
        try:
            rundmail = rundmail_services.rundmail_schedule(rundmail=rundmail, actor=request.user, send_at=send_at)
        except ValidationError as error:
            _form_error(form, error)
        else:
            if rundmail.state == Rundmail.State.SENT:
                messages.success(
                    request,
                    _("Die Rundmail geht jetzt an %(count)d Empfänger*innen hinaus.")
                    % {"count": rundmail.recipient_count},
                )
            else:
                local = rundmail.send_at.astimezone(BERLIN)
                messages.success(
                    request,
                    _(
                        "Die Rundmail ist für den %(date)s um %(time)s Uhr geplant. "
                        "Bis dahin können Sie sie zurückziehen."
                    )
                    % {"date": f"{local:%d.%m.%Y}", "time": f"{local:%H:%M}"},
                )
            return redirect("rundmail:detail", network.slug, rundmail.pk)
    return _detail_page(request, network, rundmail, sees_all=True, schedule_form=form, status=400)


@require_POST
@speakers
def withdraw(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    """Withdraw a scheduled Rundmail before its moment."""
    rundmail = _rundmail_or_404(network, pk)
    try:
        rundmail_services.rundmail_withdraw(rundmail=rundmail, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rundmail:detail", network.slug, rundmail.pk)
    messages.success(request, _("Die Rundmail ist zurückgezogen; niemand erhält sie."))
    return redirect("rundmail:outbox", network.slug)


@require_POST
@speakers
def reject(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    """Decline a member's proposal with a note."""
    rundmail = _rundmail_or_404(network, pk)
    form = RundmailRejectForm(request.POST)
    if form.is_valid():
        try:
            rundmail_services.rundmail_reject(rundmail=rundmail, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Der Vorschlag ist abgelehnt; die Einreichenden sehen Ihre Anmerkung."))
            return redirect("rundmail:outbox", network.slug)
    return _detail_page(request, network, rundmail, sees_all=True, reject_form=form, status=400)


@require_POST
@speakers
def discard(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    """Delete a draft."""
    rundmail = _rundmail_or_404(network, pk)
    try:
        rundmail_services.rundmail_discard(rundmail=rundmail, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rundmail:detail", network.slug, rundmail.pk)
    messages.success(request, _("Der Entwurf ist verworfen."))
    return redirect("rundmail:outbox", network.slug)


@require_safe
@speakers
def outbox(request: HttpRequest, network: Network) -> HttpResponse:
    """What waits: members' proposals to decide on, scheduled Rundmails (to withdraw), drafts."""
    waiting = list(selectors.rundmails_for_network(network=network, states=Rundmail.OPEN))
    context = {
        "network": network,
        "proposals": [item for item in waiting if item.state == Rundmail.State.PROPOSED],
        "scheduled": sorted(
            (item for item in waiting if item.state == Rundmail.State.SCHEDULED), key=lambda item: item.send_at
        ),
        "drafts": [item for item in waiting if item.state == Rundmail.State.DRAFT],
    }
    return render(request, "notifications/rundmail/outbox.html", context)


# Members -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@_network_for("notifications.propose_rundmail", READ_DENIED)
def propose(request: HttpRequest, network: Network) -> HttpResponse:
    """A member proposes a Rundmail to all members (e.g. an event of their institution)."""
    institutions = rundmail_services.selectors_institutions_of(actor=request.user, network=network)
    form = RundmailProposalForm(
        request.POST or None, request.FILES or None, institutions=institutions, files_help=_files_help()
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                rundmail_services.rundmail_propose(
                    network=network,
                    actor=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    institution=data.get("institution"),
                    files=data["files"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Danke! Ihr Vorschlag liegt dem Sprecher*innenteam vor; es entscheidet über den Versand."),
                )
                return redirect("rundmail:archive", network.slug)
        return render(request, "notifications/rundmail/propose.html", {"network": network, "form": form}, status=400)
    return render(request, "notifications/rundmail/propose.html", {"network": network, "form": form})


# The preview's choice of recipient (the public cache refuses parameters a page does not name).
detail.query_parameters = ("an",)

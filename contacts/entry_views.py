"""„Eintrag prüfen“: the page behind the signed link in the mails that ask whether an entry
is still current (confirm, or for an institution propose changes); an institution's own
people correcting its entry; and the Sozialplanung's review of the proposals.

Links from mail: GET only shows, POST acts (mail scanners open links).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from contacts.entry_links import EntryLinkInvalid, entry_link_read
from contacts.forms import InstitutionEntryForm, ProposalDecisionForm
from contacts.models import Institution, InstitutionChangeProposal
from contacts.selectors.freshness import proposal_diff, proposals_decided, proposals_pending
from contacts.services.freshness import (
    entry_confirm,
    institution_change_propose,
    institution_proposal_accept,
    institution_proposal_reject,
    institution_update,
)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def entry_check(request: HttpRequest, token: str) -> HttpResponse:
    """The entry with „Alles korrekt“ and, for an institution, the form to correct it."""
    try:
        link = entry_link_read(token)
    except EntryLinkInvalid as problem:
        return render(request, "contacts/entry/link_invalid.html", {"message": problem.message}, status=400)
    entry = link.entry
    institution = entry if isinstance(entry, Institution) else None
    represents = institution is not None and request.user.has_perm("contacts.maintain_institution", institution)
    form = (
        InstitutionEntryForm(
            request.POST if request.POST.get("action") == "propose" else None,
            institution=institution,
            with_comment=not represents,
        )
        if institution is not None
        else None
    )
    context = {
        "entry": entry,
        "entry_kind": type(entry).__name__.lower(),
        "institution": institution,
        "form": form,
        "represents": represents,
    }
    if request.method != "POST":
        return render(request, "contacts/entry/check.html", context)
    action = request.POST.get("action")
    if action == "confirm":
        entry_confirm(entry=entry)
        return render(request, "contacts/entry/done.html", {**context, "outcome": "confirmed"})
    if action != "propose" or form is None:
        return render(request, "contacts/entry/check.html", context, status=400)
    if form.is_valid():
        try:
            result = institution_change_propose(
                link=link,
                changes=form.changes(),
                comment=form.cleaned_data.get("comment", ""),
                represents=represents,
                actor=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            outcome = "applied" if isinstance(result, Institution) else "proposed"
            return render(request, "contacts/entry/done.html", {**context, "outcome": outcome})
    return render(request, "contacts/entry/check.html", context, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def institution_entry_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """An institution's own people (and the Sozialplanung) correct its entry directly."""
    institution = Institution.objects.filter(slug=slug, is_active=True).first()
    if institution is None:
        raise Http404(_("Diese Einrichtung gibt es nicht."))
    if not request.user.has_perm("contacts.maintain_institution", institution):
        raise PermissionDenied(
            _("Nur wer für diese Einrichtung arbeitet oder sie vertritt, kann ihren Eintrag ändern.")
        )
    form = InstitutionEntryForm(request.POST or None, institution=institution)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            entry_confirm(entry=institution)
            messages.success(request, _("Danke! Der Eintrag ist als aktuell bestätigt."))
            return redirect("directory:institution_detail", slug=slug)
        if form.is_valid():
            try:
                institution_update(institution=institution, actor=request.user, **form.changes())
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Die Änderungen sind gespeichert und sofort sichtbar."))
                return redirect("directory:institution_detail", slug=slug)
        return render(request, "contacts/entry/edit.html", {"institution": institution, "form": form}, status=400)
    return render(request, "contacts/entry/edit.html", {"institution": institution, "form": form})


def _require_reviewer(request: HttpRequest) -> None:
    if not request.user.has_perm("contacts.review_entries"):
        raise PermissionDenied(_("Diese Seite ist der Sozialplanung vorbehalten."))


@login_required
@require_http_methods(["GET", "HEAD"])
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Proposals waiting for review, and the last ones decided."""
    _require_reviewer(request)
    pending = [(proposal, proposal_diff(proposal)) for proposal in proposals_pending()]
    context = {"pending": pending, "decided": proposals_decided()}
    return render(request, "contacts/entry/proposal_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: „alt → neu“ per field, accept or reject with a note."""
    _require_reviewer(request)
    proposal = InstitutionChangeProposal.objects.select_related("institution", "decided_by").filter(pk=pk).first()
    if proposal is None:
        raise Http404(_("Diesen Vorschlag gibt es nicht."))
    form = ProposalDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        decide = {"accept": institution_proposal_accept, "reject": institution_proposal_reject}.get(
            request.POST.get("action")
        )
        if decide is not None and form.is_valid():
            try:
                decide(proposal=proposal, actor=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                _form_errors(form, error)
            else:
                if request.POST.get("action") == "accept":
                    messages.success(request, _("Der Vorschlag ist übernommen; der Eintrag ist geändert."))
                else:
                    messages.success(request, _("Der Vorschlag ist abgelehnt; der Eintrag bleibt, wie er war."))
                return redirect("contacts:proposal_list")
        elif decide is None:
            form.add_error(None, _("Bitte wählen Sie „Übernehmen“ oder „Ablehnen“."))
        status = 400
    context = {"proposal": proposal, "changes": proposal_diff(proposal), "form": form}
    return render(request, "contacts/entry/proposal_detail.html", context, status=status)

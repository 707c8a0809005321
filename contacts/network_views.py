"""Pages where a speaker team keeps its network: profile, areas (proposed), member list,
speaker team, invitations to accounts; and the list where Sozialplanung decides on
proposals.

Thin: the permission predicates decide who may (``contacts.manage_network`` for a network,
``contacts.manage_directory`` for the decisions), the services write, the selectors read.
GET shows, POST acts; refused input comes back as 400 with the German message and
nothing written.
"""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts import selectors, services
from contacts.models import AccountInvitation, Institution, Membership, Network, NetworkProposal, Person
from contacts.network_forms import (
    AreasProposalForm,
    DecisionForm,
    InstitutionProposalForm,
    InvitationForm,
    MemberAddForm,
    MembershipEndForm,
    NetworkProfileForm,
    RoleChangeForm,
    TeamElectForm,
)
from contacts.selectors import network_management as manage_selectors

MANAGE_DENIED = _("Nur das Sprecher*innenteam, die Geschäftsführung und die Sozialplanung dürfen das ändern.")


def managing(view):
    """Log in first; then the network of ``slug`` (404) if the user may keep it (403)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        network = Network.objects.filter(slug=slug).first()
        if network is None:
            raise Http404(_("Dieses Netzwerk gibt es nicht."))
        if not request.user.has_perm("contacts.manage_network", network):
            raise PermissionDenied(MANAGE_DENIED)
        return view(request, network, *args, **kwargs)

    return wrapper


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _form_error(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, [message for e in errors for message in e.messages])
    else:
        form.add_error(None, error.messages)


def _overview(request: HttpRequest, network: Network, *, errors: list[str] | None = None, status: int = 200):
    page = manage_selectors.network_management(network=network, audience=selectors.audience_for(request.user))
    today = timezone.localdate()
    context = {
        "network": network,
        "page": page,
        "errors": errors or [],
        "role_form": RoleChangeForm(initial={"day": today}),
        "end_form": MembershipEndForm(initial={"end": today}),
    }
    return render(request, "contacts/manage/overview.html", context, status=status)


@require_safe
@managing
def network_manage(request: HttpRequest, network: Network) -> HttpResponse:
    """The network's management page: the member list with its history, the team, the open
    invitations and proposals, and the ways to change each."""
    return _overview(request, network)


def _form_page(request, network, template: str, form, *, status: int = 200, **extra) -> HttpResponse:
    return render(request, f"contacts/manage/{template}", {"network": network, "form": form, **extra}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@managing
def network_profile_edit(request: HttpRequest, network: Network) -> HttpResponse:
    """Description, rhythm, website and topics: changed at once (and on the public page)."""
    if request.method != "POST":
        return _form_page(request, network, "profile.html", NetworkProfileForm(instance=network))
    form = NetworkProfileForm(request.POST, instance=Network.objects.get(pk=network.pk))
    if form.is_valid():
        try:
            services.network_profile_update(
                network=Network.objects.get(pk=network.pk),
                actor=request.user,
                **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS},
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Die Angaben des Netzwerks sind gespeichert."))
            return redirect("network_manage:overview", slug=network.slug)
    return _form_page(request, network, "profile.html", form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@managing
def network_areas_propose(request: HttpRequest, network: Network) -> HttpResponse:
    """Propose the areas; Sozialplanung decides."""
    tree = selectors.area_tree()
    current = list(network.areas.order_by("level", "code", "name"))
    if request.method != "POST":
        form = AreasProposalForm(initial={"areas": [area.pk for area in current]}, tree=tree)
        return _form_page(request, network, "areas.html", form, current=current)
    form = AreasProposalForm(request.POST, tree=tree)
    if form.is_valid():
        try:
            services.network_areas_propose(
                network=network,
                actor=request.user,
                areas=[tree.by_id[pk] for pk in form.cleaned_data["areas"]],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, _("Ihr Vorschlag ist bei der Sozialplanung. Bis zur Entscheidung gilt der alte Stand.")
            )
            return redirect("network_manage:overview", slug=network.slug)
    return _form_page(request, network, "areas.html", form, status=400, current=current)


def _representatives(institution: Institution, network: Network, audience) -> list[tuple[int, str]]:
    """People who may represent ``institution``: those working there and the network's
    members, each only if the viewer may see the name."""
    ids = set(institution.affiliations.values_list("person_id", flat=True)) if institution else set()
    ids |= set(
        Membership.objects.active().filter(network=network, person__isnull=False).values_list("person_id", flat=True)
    )
    views = manage_selectors._projected(ids, audience, timezone.localdate())
    return sorted(((pk, view.name) for pk, view in views.items() if view.name), key=lambda pair: pair[1].casefold())


@require_http_methods(["GET", "HEAD", "POST"])
@managing
def network_member_add(request: HttpRequest, network: Network) -> HttpResponse:
    """Add a member: search the directory for an institution (then choose who represents
    it), or search for a person to add as an individual member."""
    audience = selectors.audience_for(request.user)
    source = request.POST if request.method == "POST" else request.GET
    institution = None
    person = None
    if source.get("institution", "").isdigit():
        institution = Institution.objects.filter(pk=int(source["institution"]), is_active=True).first()
    elif source.get("person", "").isdigit() and request.method != "POST":
        person = manage_selectors.person_visible(person_id=int(source["person"]), audience=audience)
    context = {
        "institution": institution,
        "chosen_person": person,
        "institution_query": request.GET.get("einrichtung_suche", "")[:100],
        "person_query": request.GET.get("person_suche", "")[:100],
    }
    context["institutions"] = manage_selectors.institution_search(query=context["institution_query"])
    context["people"] = manage_selectors.person_search(query=context["person_query"], audience=audience)
    if institution is not None:
        people = _representatives(institution, network, audience)
    elif person is not None:
        people = [(person.pk, person.full_name)]
    elif request.method == "POST" and source.get("person", "").isdigit():
        found = manage_selectors.person_visible(person_id=int(source["person"]), audience=audience)
        people = [(found.pk, found.full_name)] if found else []
    else:
        people = []
    initial = {"start": timezone.localdate()}
    if request.method != "POST":
        form = MemberAddForm(initial=initial, people=people, institution_required=institution is not None)
        return _form_page(request, network, "member_add.html", form, **context)
    form = MemberAddForm(request.POST, people=people, institution_required=institution is not None)
    if form.is_valid():
        chosen = Person.objects.filter(pk=form.cleaned_data["person"]).first() if form.cleaned_data["person"] else None
        try:
            services.network_member_add(
                network=network,
                actor=request.user,
                institution=institution,
                person=chosen,
                role=form.cleaned_data["role"],
                start=form.cleaned_data["start"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(who)s ist als Mitglied eingetragen.") % {"who": institution or chosen})
            return redirect("network_manage:overview", slug=network.slug)
    return _form_page(request, network, "member_add.html", form, status=400, **context)


def _membership_of(network: Network, uuid) -> Membership:
    membership = Membership.objects.select_related("network", "person", "institution").filter(uuid=uuid).first()
    if membership is None or membership.network_id != network.pk:
        # Another network's row is as missing as one that does not exist.
        raise Http404(_("Diese Mitgliedschaft gibt es nicht."))
    return membership


@require_POST
@managing
def membership_role_change(request: HttpRequest, network: Network, uuid) -> HttpResponse:
    """Member ↔ guest from a day on; the old row ends the day before."""
    membership = _membership_of(network, uuid)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        return _overview(request, network, errors=[e for errors in form.errors.values() for e in errors], status=400)
    try:
        services.network_membership_role_change(
            membership=membership, actor=request.user, role=form.cleaned_data["role"], day=form.cleaned_data["day"]
        )
    except ValidationError as error:
        return _overview(request, network, errors=_messages_of(error), status=400)
    messages.success(request, _("Die Rolle ist geändert."))
    return redirect("network_manage:overview", slug=network.slug)


@require_POST
@managing
def membership_end(request: HttpRequest, network: Network, uuid) -> HttpResponse:
    """End a membership with a date; it stays in the history."""
    membership = _membership_of(network, uuid)
    form = MembershipEndForm(request.POST)
    if not form.is_valid():
        return _overview(request, network, errors=[e for errors in form.errors.values() for e in errors], status=400)
    try:
        services.network_membership_end(membership=membership, actor=request.user, end=form.cleaned_data["end"])
    except ValidationError as error:
        return _overview(request, network, errors=_messages_of(error), status=400)
    messages.success(
        request, _("Die Mitgliedschaft endet am %(day)s.") % {"day": form.cleaned_data["end"].strftime("%d.%m.%Y")}
    )
    return redirect("network_manage:overview", slug=network.slug)


@require_http_methods(["GET", "HEAD", "POST"])
@managing
def team_elect(request: HttpRequest, network: Network) -> HttpResponse:
    """Elect a new speaker team with its term; the old team's terms end the day before."""
    audience = selectors.audience_for(request.user)
    today = timezone.localdate()
    start = today
    if request.method == "POST":
        try:
            start = TeamElectForm.base_fields["start"].clean(request.POST.get("start")) or today
        except ValidationError:
            start = today
    candidates = manage_selectors.team_candidates(network=network, audience=audience, day=max(start, today))
    choices = [(person.pk, label) for person, label in candidates]
    page = manage_selectors.network_management(network=network, audience=audience)
    context = {"team": page.team, "future_team": page.future_team}
    if request.method != "POST":
        form = TeamElectForm(initial={"start": today}, candidates=choices)
        return _form_page(request, network, "team.html", form, **context)
    form = TeamElectForm(request.POST, candidates=choices)
    if form.is_valid():
        people = {person.pk: person for person, _label in candidates}
        try:
            services.speaker_team_elect(
                network=network,
                actor=request.user,
                team=[(people[pk], role) for pk, role in form.team_rows()],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Das neue Team ist eingetragen; es erscheint ab dem %(day)s auf der Seite des Netzwerks.")
                % {"day": form.cleaned_data["start"].strftime("%d.%m.%Y")},
            )
            # A speaker who handed over today keeps no access: on to the network's page.
            roles = selectors.user_roles(request.user, today=timezone.localdate())
            if roles.is_sozialplanung or network.pk in roles.leading_network_ids:
                return redirect("network_manage:overview", slug=network.slug)
            return redirect("directory:network_detail", slug=network.slug)
    return _form_page(request, network, "team.html", form, status=400, **context)


@require_http_methods(["GET", "HEAD", "POST"])
@managing
def institution_propose(request: HttpRequest, network: Network) -> HttpResponse:
    """Propose a new institution (not yet in the directory) as a member; Sozialplanung decides."""
    audience = selectors.audience_for(request.user)
    people = _representatives(None, network, audience)
    if request.method != "POST":
        initial = {"name": request.GET.get("name", "")[:200]}
        return _form_page(
            request, network, "institution_propose.html", InstitutionProposalForm(initial=initial, people=people)
        )
    form = InstitutionProposalForm(request.POST, people=people)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.institution_propose(
                network=network,
                actor=request.user,
                name=data["name"],
                institution_type=data["institution_type"],
                representative=Person.objects.filter(pk=data["representative"]).first()
                if data["representative"]
                else None,
                street=data["street"],
                postal_code=data["postal_code"],
                website=data["website"],
                email=data["email"],
                phone=data["phone"],
                note=data["note"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Ihr Vorschlag ist bei der Sozialplanung."))
            return redirect("network_manage:overview", slug=network.slug)
    return _form_page(request, network, "institution_propose.html", form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@managing
def invitation_create(request: HttpRequest, network: Network) -> HttpResponse:
    """Invite a member to an account; the mail leaves through the delivery log."""
    audience = selectors.audience_for(request.user)
    people = manage_selectors.invitable_people(network=network, audience=audience)
    choices = [(person.pk, label) for person, label in people]
    if request.method != "POST":
        return _form_page(request, network, "invitation.html", InvitationForm(people=choices))
    form = InvitationForm(request.POST, people=choices)
    if form.is_valid():
        person = {person.pk: person for person, _label in people}[form.cleaned_data["person"]]
        try:
            invitation = services.account_invitation_create(
                person=person, actor=request.user, network=network, email=form.cleaned_data["email"] or None
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Die Einladung geht an %(email)s.") % {"email": invitation.email})
            return redirect("network_manage:overview", slug=network.slug)
    return _form_page(request, network, "invitation.html", form, status=400)


def _invitation_of(network: Network, pk: int) -> AccountInvitation:
    invitation = AccountInvitation.objects.select_related("network").filter(pk=pk, network=network).first()
    if invitation is None:
        raise Http404(_("Diese Einladung gibt es nicht."))
    return invitation


@require_POST
@managing
def invitation_resend(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    try:
        invitation = services.account_invitation_resend(invitation=_invitation_of(network, pk), actor=request.user)
    except ValidationError as error:
        return _overview(request, network, errors=_messages_of(error), status=400)
    messages.success(request, _("Die Einladung geht erneut an %(email)s.") % {"email": invitation.email})
    return redirect("network_manage:overview", slug=network.slug)


@require_POST
@managing
def invitation_withdraw(request: HttpRequest, network: Network, pk: int) -> HttpResponse:
    try:
        services.account_invitation_withdraw(invitation=_invitation_of(network, pk), actor=request.user)
    except ValidationError as error:
        return _overview(request, network, errors=_messages_of(error), status=400)
    messages.success(request, _("Die Einladung ist zurückgezogen; ihr Link gilt nicht mehr."))
    return redirect("network_manage:overview", slug=network.slug)


# --- Sozialplanung decides ---------------------------------------------------------------


def _staff_only(request: HttpRequest):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("contacts.manage_directory"):
        raise PermissionDenied(_("Nur die Sozialplanung entscheidet über Vorschläge."))
    return None


def _proposals_page(request: HttpRequest, *, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    context = {
        "open_proposals": list(manage_selectors.network_proposals(state=NetworkProposal.State.OPEN)),
        "decided": list(manage_selectors.network_proposals().exclude(state=NetworkProposal.State.OPEN)[:20]),
        "errors": errors or [],
        "form": DecisionForm(),
    }
    return render(request, "contacts/manage/proposals.html", context, status=status)


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Open proposals of all networks (areas, new institutions) and the latest decisions."""
    return _staff_only(request) or _proposals_page(request)


@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _staff_only(request)
    if refused:
        return refused
    proposal = NetworkProposal.objects.filter(pk=pk).first()
    if proposal is None:
        raise Http404(_("Diesen Vorschlag gibt es nicht."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _proposals_page(request, errors=[_("Bitte wählen Sie „annehmen“ oder „ablehnen“.")], status=400)
    decide = services.proposal_approve if form.cleaned_data["decision"] == "annehmen" else services.proposal_reject
    try:
        decide(proposal=proposal, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        return _proposals_page(request, errors=_messages_of(error), status=400)
    messages.success(request, _("Entschieden: %(proposal)s.") % {"proposal": proposal})
    return redirect("network_manage:proposals")


# The query parameters the pages read (the public cache refuses any other with a 400).
network_member_add.query_parameters = ("einrichtung_suche", "person_suche", "institution", "person")
institution_propose.query_parameters = ("name",)

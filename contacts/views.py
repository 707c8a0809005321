"""Account pages (German): log in with the e-mail address, invitations, password reset;
and the public directory pages that show the directory alone (the lists, institutions,
the network vCard, the contact forms' confirmations). The pages that also show the
calendar or mail settings (a network, an area, "Mein Bereich") are assembled in
``netzwerk.directory``."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from contacts import selectors
from contacts.clients import client_address
from contacts.forms import (
    AreaChoiceForm,
    ContactMessageForm,
    InstitutionFilterForm,
    LoginForm,
    NetworkFilterForm,
    PasswordResetForm,
)
from contacts.models import Area, Institution, Network
from contacts.services import (
    account_invitation_accept,
    account_invitation_pending,
    contact_message_submit,
    password_reset_request,
)
from contacts.vcard import VCardPerson
from contacts.vcard import institution_vcard as institution_vcard_text
from contacts.vcard import network_vcard as network_vcard_text
from contacts.visibility import PUBLIC


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "contacts/login.html"
    redirect_authenticated_user = True


def login_paused(request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None):
    """``AXES_LOCKOUT_CALLABLE``: the answer to a login (the site's or the Verwaltung's)
    while its account or client is paused — the login page again, with the reason, as 429."""
    context = {
        "form": LoginForm(request),
        "paused_message": LoginForm.error_messages["blocked"],
        "next": request.POST.get("next", ""),
    }
    return render(request, "contacts/login.html", context, status=429)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "contacts/password_reset.html"
    success_url = reverse_lazy("contacts:password_reset_done")

    def form_valid(self, form):
        """The same answer whether or not the address has an account; the mail goes out
        from a worker (``password_reset_request``). Too many requests: 429 with the form."""
        try:
            password_reset_request(email=form.cleaned_data["email"], client=client_address(self.request))
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "contacts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "contacts/password_set.html"
    success_url = reverse_lazy("contacts:password_reset_complete")
    extra_context = {"heading": _("Neues Passwort wählen")}


class InvitationAcceptView(PasswordResetConfirmView):
    """The invitation link: the same signed, expiring token as a reset, other words.

    The link works only while the account has an open invitation: a withdrawn, accepted or
    expired one makes it the page for an invalid link. GET shows the form; the POST that
    sets the password accepts the invitation.
    """

    extra_context = {"heading": _("Willkommen bei Netzwerk Aachen – bitte wählen Sie Ihr Passwort")}

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or account_invitation_pending(user=user) is None:
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        account_invitation_accept(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "contacts/password_reset_complete.html"


# --- The public directory ------------------------------------------------------------
#
# Thin views: a selector reads (in a fixed number of queries), people arrive projected for
# the viewer's audience, and templates render only what they are given.


def _area_nodes(tree: selectors.AreaTree, areas: list[Area]) -> list[dict]:
    return [{"area": area, "children": _area_nodes(tree, tree.children_of(area))} for area in areas]


@require_safe
def network_list(request: HttpRequest) -> HttpResponse:
    """Netzwerke, filterable by kind and area (an area includes the areas below it).

    The filter form and the table are fragments rendered once per directory version and
    valid filter (``{% cache %}``); the networks are read only when the table is rendered.
    """
    version = selectors.directory_version()
    tree = selectors.area_tree(version=version)
    form = NetworkFilterForm(request.GET, tree=tree)
    if not form.is_valid():
        context = {"form": form, "networks": None}
        return render(request, "contacts/directory/network_list.html", context, status=400)
    area_id = form.cleaned_data["gebiet"]
    kind = form.cleaned_data["art"] or None
    context = {
        "form": form,
        "networks": SimpleLazyObject(
            lambda: selectors.network_rows(kind=kind, area_ids=tree.descendant_ids(area_id) if area_id else None)
        ),
        "is_filtered": bool(area_id or kind),
        "directory_version": version,
        "fragment_seconds": selectors.DIRECTORY_FRAGMENT_SECONDS,
        "filter_key": f"{kind or ''}:{area_id or ''}",
    }
    return render(request, "contacts/directory/network_list.html", context)


# What the page reads from its address; the public cache answers any other parameter with a
# 400 (netzwerk.public_cache), so a made-up one cannot make a new cache entry.
network_list.query_parameters = frozenset(NetworkFilterForm.base_fields)


@require_safe
def network_vcard(request: HttpRequest, slug: str) -> HttpResponse:
    """The network's public contact as a vCard 4.0.

    Always projected for the public, whoever downloads it: a card is passed on, so it must
    never carry what only members may see.
    """
    page = selectors.network_page(slug=slug, audience=PUBLIC)
    if page is None:
        raise Http404(_("Dieses Netzwerk gibt es nicht."))
    network = page.network
    text = network_vcard_text(
        name=network.name,
        website=network.website,
        page_url=request.build_absolute_uri(reverse("directory:network_detail", args=[network.slug])),
        source_url=request.build_absolute_uri(),
        speakers=[
            VCardPerson(role=role, name=view.name, emails=view.emails, phones=view.phones)
            for _membership, view, role in page.leader_rows
        ],
    )
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{network.slug}.vcf"'
    return response


@require_safe
def institution_vcard(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's public contact (address, functional e-mail, phone) as a vCard 4.0."""
    page = selectors.institution_page(slug=slug)
    if page is None:
        raise Http404(_("Diese Einrichtung gibt es nicht."))
    institution = page.institution
    text = institution_vcard_text(
        name=institution.name,
        street=institution.street,
        postal_code=institution.postal_code,
        city=institution.city,
        email=institution.email,
        phone=institution.phone,
        website=institution.website,
        page_url=request.build_absolute_uri(reverse("directory:institution_detail", args=[institution.slug])),
        source_url=request.build_absolute_uri(),
    )
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{institution.slug}.vcf"'
    return response


@require_safe
def institution_list(request: HttpRequest) -> HttpResponse:
    """Einrichtungen, filterable by type and area, 50 to a page.

    The filter form and each page of the table are fragments rendered once per directory
    version, valid filter and page (``{% cache %}``); the rows are read only when the table
    is rendered; the count (which decides whether the page exists) once per version and
    filter as well.
    """
    version = selectors.directory_version()
    tree = selectors.area_tree(version=version)
    form = InstitutionFilterForm(request.GET, tree=tree, types=selectors.institution_types(version=version))
    if not form.is_valid():
        context = {"form": form, "page_obj": None}
        return render(request, "contacts/directory/institution_list.html", context, status=400)
    area_id = form.cleaned_data["gebiet"]
    type_id = form.cleaned_data["art"]
    institutions = selectors.institution_directory(
        type_id=type_id,
        area_ids=tree.descendant_ids(area_id) if area_id else None,
    )
    filter_key = f"{type_id or ''}:{area_id or ''}"
    paginator = Paginator(institutions, selectors.PUBLIC_PAGE_SIZE)
    # ``count`` is a cached property: given here, the paginator does not count again.
    paginator.count = selectors.institution_directory_count(institutions, version=version, filter_key=filter_key)
    try:
        page_obj = paginator.page(request.GET.get("seite") or 1)
    except InvalidPage:
        raise Http404(_("Diese Seite der Liste gibt es nicht.")) from None
    # The filter as the links to other pages repeat it: from the valid filter alone, so a
    # fragment shared by every request with this filter links the same for all of them.
    query = urlencode([(name, value) for name, value in (("art", type_id), ("gebiet", area_id)) if value])
    context = {
        "form": form,
        "page_obj": page_obj,
        # First, last, and two either side of this page: a link to each of 120 pages
        # helps nobody, and cost as much as the rows.
        "page_numbers": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
        "institutions": SimpleLazyObject(lambda: selectors.institution_rows(page_obj.object_list)),
        "query": query,
        "is_filtered": bool(area_id or type_id),
        "directory_version": version,
        "fragment_seconds": selectors.DIRECTORY_FRAGMENT_SECONDS,
        "filter_key": filter_key,
    }
    return render(request, "contacts/directory/institution_list.html", context)


# What the page reads from its address; the public cache answers any other parameter with a
# 400 (netzwerk.public_cache), so a made-up one cannot make a new cache entry.
institution_list.query_parameters = frozenset({*InstitutionFilterForm.base_fields, "seite"})


@require_safe
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One institution: address, access, functional contacts, networks."""
    return _institution_detail_response(request, slug, form=ContactMessageForm())


def _institution_detail_response(request: HttpRequest, slug: str, *, form: ContactMessageForm, status: int = 200):
    # The page shows only the institution's own, public data: the same for every visitor.
    # So its parts are fragments rendered once per directory version, day (memberships end
    # on a day) and language, for everybody; only the edit link, decided per visitor, and
    # a form carrying one visitor's input and errors are rendered on each request.
    version = selectors.directory_version()
    institution = selectors.institution_heading(slug=slug)
    if institution is None:
        raise Http404(_("Diese Einrichtung gibt es nicht."))
    day = timezone.localdate()
    context = {
        "institution": institution,
        "page": SimpleLazyObject(lambda: selectors.institution_page(slug=slug, day=day)),
        "contact_form": form,
        # Its own people correct the entry themselves (anonymous visitors: no query).
        "may_maintain": request.user.is_authenticated
        and request.user.has_perm("contacts.maintain_institution", institution),
        "directory_version": version,
        "fragment_seconds": selectors.DIRECTORY_FRAGMENT_SECONDS,
        "fragment_key": f"{institution.pk}:{day.isoformat()}",
    }
    return render(request, "contacts/directory/institution_detail.html", context, status=status)


@require_safe
def area_list(request: HttpRequest) -> HttpResponse:
    """Stadtbezirke → Sozialräume → Lebensräume as nested lists."""
    version = selectors.directory_version()
    tree = SimpleLazyObject(lambda: selectors.area_tree(version=version))
    context = {
        # Both rendered once per directory version (``{% cache %}``), read only then.
        "nodes": SimpleLazyObject(lambda: _area_nodes(tree, tree.roots)),
        "form": SimpleLazyObject(lambda: AreaChoiceForm(tree=tree)),
        "directory_version": version,
        "fragment_seconds": selectors.DIRECTORY_FRAGMENT_SECONDS,
    }
    return render(request, "contacts/directory/area_list.html", context)


@require_safe
def area_choose(request: HttpRequest) -> HttpResponse:
    """The start page's "Was ist in meinem Stadtteil los?" form lands here: on to the area."""
    tree = selectors.area_tree()
    form = AreaChoiceForm(request.GET, tree=tree)
    if form.is_valid():
        area = tree.by_id[form.cleaned_data["gebiet"]]
        return redirect("directory:area_detail", slug=area.slug)
    context = {"nodes": _area_nodes(tree, tree.roots), "form": form}
    return render(request, "contacts/directory/area_list.html", context, status=400)


# What the page reads from its address; the public cache answers any other parameter with a
# 400 (netzwerk.public_cache), so a made-up one cannot make a new cache entry.
area_choose.query_parameters = frozenset(AreaChoiceForm.base_fields)


# --- The contact form ------------------------------------------------------------------
#
# POST-redirect-GET: the form posts to its own address, a stored message redirects to a
# confirmation page that names nobody's address; bad input re-renders the page with the
# errors bound to their fields (400), too many messages from one client is a 429.
#
# Exempt from Django's CSRF token, so that the pages carry no per-visitor token and stay
# cacheable. Instead the browser's own word is checked: a post another website makes a
# visitor's browser send carries ``Sec-Fetch-Site: cross-site`` (or a foreign ``Origin``)
# and is refused, so nobody can send messages from visitors' addresses (and under their
# per-client limit) by embedding the form elsewhere. The honeypot still catches programs.

CROSS_SITE_MESSAGE = _(
    "Dieses Formular kann nur auf den Seiten von Netzwerk Aachen abgeschickt werden. Bitte öffnen "
    "Sie die Seite direkt und senden Sie Ihre Nachricht dort noch einmal."
)


def posted_from_another_site(request: HttpRequest) -> bool:
    """Whether the browser says the form was posted from another site. ``Sec-Fetch-Site``
    (all current browsers) first, else ``Origin``; a client that sends neither is no
    browser another site could make post (or one too old to matter)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # "none": the visitor's own action (a bookmark, the address bar).
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    own = f"{request.scheme}://{request.get_host()}"
    return origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS


def contact_form_submit(request: HttpRequest, **target) -> tuple[ContactMessageForm, int]:
    """Validate the posted contact form and store the message for ``target`` (``network=``,
    ``institution=`` or ``kind=``). Returns the form and the status to render it with:
    200 when the message was stored (or the honeypot caught a program), else 400 or 429
    with the errors on the form. Raises ``PermissionDenied`` (a 403 in German) for a post
    another site made."""
    if posted_from_another_site(request):
        raise PermissionDenied(CROSS_SITE_MESSAGE)
    form = ContactMessageForm(request.POST)
    if not form.is_valid():
        return form, 400
    if form.is_spam:
        return form, 200
    try:
        contact_message_submit(
            sender_name=form.cleaned_data["name"],
            sender_email=form.cleaned_data["email"],
            subject=form.cleaned_data["betreff"],
            body=form.cleaned_data["nachricht"],
            copy_to_sender=form.cleaned_data["kopie"],
            language=translation.get_language() or "de",
            client=client_address(request),
            **target,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return form, 429 if getattr(error, "code", None) == "rate_limited" else 400
    return form, 200


@csrf_exempt
@require_POST
def institution_contact(request: HttpRequest, slug: str) -> HttpResponse:
    """The contact form of an institution page: on to the confirmation, or back with the errors."""
    institution = Institution.objects.filter(slug=slug, is_active=True).first()
    if institution is None:
        raise Http404(_("Diese Einrichtung gibt es nicht."))
    form, status = contact_form_submit(request, institution=institution)
    if status == 200:
        return redirect("directory:institution_contact_sent", slug=slug)
    return _institution_detail_response(request, slug, form=form, status=status)


def _contact_sent(
    request: HttpRequest,
    *,
    recipient_name: str,
    recipient_description: str,
    back_url: str,
    list_name: str,
    list_label: str,
) -> HttpResponse:
    context = {
        "recipient_name": recipient_name,
        "recipient_description": recipient_description,
        "back_url": back_url,
        "list_url": reverse(list_name),
        "list_label": list_label,
    }
    return render(request, "contacts/directory/contact_sent.html", context)


@require_safe
def network_contact_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirmation after the contact form: the network's name, nobody's address."""
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise Http404(_("Dieses Netzwerk gibt es nicht."))
    return _contact_sent(
        request,
        recipient_name=network.name,
        recipient_description=_("das Sprecher*innenteam"),
        back_url=reverse("directory:network_detail", args=[slug]),
        list_name="directory:network_list",
        list_label=_("Netzwerke"),
    )


@require_safe
def institution_contact_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirmation after the contact form of an institution."""
    institution = Institution.objects.filter(slug=slug, is_active=True).first()
    if institution is None:
        raise Http404(_("Diese Einrichtung gibt es nicht."))
    return _contact_sent(
        request,
        recipient_name=institution.name,
        recipient_description=_("die Einrichtung"),
        back_url=reverse("directory:institution_detail", args=[slug]),
        list_name="directory:institution_list",
        list_label=_("Einrichtungen"),
    )

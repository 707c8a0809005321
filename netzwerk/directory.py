"""The directory pages that show more than the directory: a network with its meetings and
calendar feed, an area with its feed, and "Mein Bereich" with the personal calendar and
the mail settings. Each app gives its part through its selectors and template tags; the
page is put together here, so ``contacts`` never names the calendar or the mail."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from contacts import selectors
from contacts.forms import ContactMessageForm
from contacts.models import Network
from contacts.my_area import own_person
from contacts.views import contact_form_submit
from contacts.visibility import PUBLIC
from meetings import selectors as meeting_selectors
from netzwerk.figures import area_figures
from netzwerk.privacy import person_data_export


@require_safe
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One network: what it does, where, who speaks for it (as far as the viewer may see),
    its next meetings and its calendar feed."""
    return _network_detail_response(request, slug, form=ContactMessageForm())


def _network_detail_response(request: HttpRequest, slug: str, *, form: ContactMessageForm, status: int = 200):
    audience = selectors.audience_for(request.user)
    if audience is not PUBLIC or form.is_bound:
        page = selectors.network_page(slug=slug, audience=audience)
        if page is None:
            raise Http404(_("Dieses Netzwerk gibt es nicht."))
        context = {"page": page, "network": page.network, "contact_form": form}
        return render(request, "netzwerk/network_detail.html", context, status=status)
    # The public view, the same for every anonymous visitor: the directory's part of the
    # page is a fragment rendered once per directory version and day (memberships and
    # terms end on a day); the meetings below it are read on every request. Members and
    # staff see more and always get their own page.
    version = selectors.directory_version()
    network = selectors.network_heading(slug=slug, version=version)
    if network is None:
        raise Http404(_("Dieses Netzwerk gibt es nicht."))
    day = timezone.localdate()
    context = {
        "page": SimpleLazyObject(lambda: selectors.network_page(slug=slug, audience=PUBLIC, day=day)),
        "network": network,
        "contact_form": form,
        "directory_version": version,
        "fragment_seconds": selectors.DIRECTORY_FRAGMENT_SECONDS,
        "fragment_key": f"public:{network.pk}:{day.isoformat()}",
    }
    return render(request, "netzwerk/network_detail.html", context, status=status)


@csrf_exempt  # checked by the browser's own word instead: see contacts.views.contact_form_submit
@require_POST
def network_contact(request: HttpRequest, slug: str) -> HttpResponse:
    """The contact form of a network page: on to the confirmation, or back with the errors."""
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise Http404(_("Dieses Netzwerk gibt es nicht."))
    form, status = contact_form_submit(request, network=network)
    if status == 200:
        return redirect("directory:network_contact_sent", slug=slug)
    return _network_detail_response(request, slug, form=form, status=status)


@require_safe
def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One area: the networks that cover it, its figures (``netzwerk.figures``), the
    institutions in it, the areas around it, and the calendar feed of its networks."""
    version = selectors.directory_version()
    tree = selectors.area_tree(version=version)
    area = tree.by_slug.get(slug)
    if area is None:
        raise Http404(_("Dieses Gebiet gibt es nicht."))
    context = {
        "area": area,
        "ancestors": tree.ancestors_of(area),
        "children": tree.children_of(area),
        # The networks and institutions: a fragment rendered once per directory version,
        # read only then. The figures come from the indicators on every request.
        "page": SimpleLazyObject(lambda: selectors.area_directory(tree=tree, area=area)),
        "figures": area_figures(area=area),
        "directory_version": version,
        "fragment_seconds": selectors.DIRECTORY_FRAGMENT_SECONDS,
    }
    return render(request, "netzwerk/area_detail.html", context)


@login_required
@require_safe
def my_area(request: HttpRequest) -> HttpResponse:
    """Mein Bereich: my data, my networks and roles, my consents; links to my calendar and
    my mail settings."""
    context = selectors.my_area_overview(user=request.user)
    if context["person"] is not None:
        context["answers"] = meeting_selectors.person_answers(context["person"])
    return render(request, "netzwerk/my_area.html", context)


@login_required
@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    """Art. 15 DSGVO: everything Netzwerk holds about me, as a printable page."""
    person = own_person(request)
    return render(request, "netzwerk/my_data.html", {"data": person_data_export(person=person), "own": True})


@login_required
@require_safe
def my_data_json(request: HttpRequest) -> HttpResponse:
    """Art. 15 DSGVO: the same as a JSON file to download (Art. 20: machine-readable)."""
    person = own_person(request)
    return data_export_response(person_data_export(person=person))


def data_export_response(data: dict) -> HttpResponse:
    """The export as a JSON download named after its date (not the person)."""
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    day = data["created_at"][:10]
    response["Content-Disposition"] = f'attachment; filename="netzwerk-auskunft-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response

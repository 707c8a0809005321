from contacts.api.network_management import NetworkManagementViewSet, ProposalViewSet
from contacts.api.views import AreaViewSet, InstitutionViewSet, MembershipViewSet, NetworkViewSet, PersonViewSet


def register(router, *, area_viewset=AreaViewSet, network_viewset=NetworkViewSet) -> None:
    """Register the directory's viewsets; the project may give the areas and networks a
    viewset of its own that adds what other apps know of them (their calendar feed)."""
    router.register("areas", area_viewset, basename="area")
    router.register("networks", network_viewset, basename="network")
    router.register("institutions", InstitutionViewSet, basename="institution")
    router.register("people", PersonViewSet, basename="person")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("network-management", NetworkManagementViewSet, basename="network-management")
    router.register("proposals", ProposalViewSet, basename="proposal")

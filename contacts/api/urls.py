from contacts.api.views import AreaViewSet, InstitutionViewSet, MembershipViewSet, NetworkViewSet, PersonViewSet


def register(router) -> None:
    router.register("areas", AreaViewSet, basename="area")
    router.register("networks", NetworkViewSet, basename="network")
    router.register("institutions", InstitutionViewSet, basename="institution")
    router.register("people", PersonViewSet, basename="person")
    router.register("memberships", MembershipViewSet, basename="membership")

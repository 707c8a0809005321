from contacts.api.views import AreaViewSet, NetworkViewSet


def register(router) -> None:
    router.register("areas", AreaViewSet, basename="area")
    router.register("networks", NetworkViewSet, basename="network")

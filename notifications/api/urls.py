from notifications.api.views import RundmailViewSet


def register(router) -> None:
    router.register("rundmails", RundmailViewSet, basename="rundmail")

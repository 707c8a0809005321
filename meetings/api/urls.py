from meetings.api.views import AgendaItemViewSet, MeetingViewSet, PollViewSet, SeriesViewSet


def register(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("series", SeriesViewSet, basename="series")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("polls", PollViewSet, basename="poll")

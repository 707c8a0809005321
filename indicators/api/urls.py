from indicators.api.views import CoverageViewSet, IndicatorViewSet


def register(router) -> None:
    """Register the indicators' viewsets on the project's router."""
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("coverage", CoverageViewSet, basename="coverage")

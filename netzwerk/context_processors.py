from django.conf import settings

from netzwerk.selectors import demo_data_present


def site(request):
    """What every page needs: the demo marker and the site's address."""
    return {"demo_data_present": demo_data_present(), "site_url": settings.SITE_URL}

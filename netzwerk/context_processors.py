from django.conf import settings

from contacts.selectors import user_roles
from netzwerk.selectors import demo_data_present


def site(request):
    """What every page needs: the demo marker, the site's address, and whether to show the
    Sozialplanung's link (from the roles the page reads anyway; ``perms`` would load every
    permission of the account through the model backend on every page)."""
    user = getattr(request, "user", None)
    return {
        "demo_data_present": demo_data_present(),
        "site_url": settings.SITE_URL,
        # Called by the template only where the navigation asks.
        "is_sozialplanung": lambda: user is not None and user.is_authenticated and user_roles(user).is_sozialplanung,
    }

"""The login limiter as an authentication backend (django-axes)."""

from axes.backends import AxesStandaloneBackend


class LoginLimitBackend(AxesStandaloneBackend):
    """django-axes' check before every password check, for logins that come with a request
    (the login page, the Verwaltung's login). A call without one — the test client's
    ``login()``, a shell — is no attempt from a client and has nothing to count by, where
    axes would raise; it passes to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

#!/usr/bin/env python
"""Django's command-line utility for Netzwerk."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netzwerk.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from netzwerk.config import ConfigurationError

    try:
        # Load the settings before Django's ManagementUtility does: it swallows
        # ImproperlyConfigured while it looks up commands, and some commands (shell, help)
        # then run on without settings instead of stopping.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)
    except ConfigurationError as error:
        # One line that names the variable, instead of a wall of traceback.
        sys.exit(f"netzwerk: {error}")


if __name__ == "__main__":
    main()

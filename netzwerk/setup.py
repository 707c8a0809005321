"""Start-up helpers that touch the file system or the network (never run at import)."""

from pathlib import Path

from django.conf import settings


def var_folders_create() -> None:
    """Create the folders the embedded defaults write to (database, broker, mail, media)."""
    folders = [settings.VAR_DIR, settings.MEDIA_ROOT, settings.STATIC_ROOT, settings.VAR_DIR / "mail"]
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    folders += [
        options[key]
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        if key in options
    ]
    for folder in folders:
        Path(folder).mkdir(parents=True, exist_ok=True)


def broker_check(timeout: float = 3.0) -> str | None:
    """Connect to the Celery broker once; return why it failed, or ``None``."""
    from kombu import Connection

    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=timeout,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as error:  # noqa: BLE001 — any failure means "unreachable" here
        return str(error) or type(error).__name__
    return None

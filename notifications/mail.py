"""Rendering a mail from its template and handing it to the relay, with the relay's answer
sorted into: delivered, try again later, never, or unknown (the data went out, the answer
did not come back).

Templates live in ``templates/notifications/mail/<language>/<kind>.txt``; the first line is
the subject. They are rendered by an engine of their own that raises on a missing variable
(Django's default renders it as an empty string, which would send a mail with a hole).
``settings.NOTIFICATIONS_MAIL_TEMPLATE_DIRS`` are searched first (a city may word its mails
itself).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import logging
import re
import smtplib
import ssl
from email.generator import BytesGenerator
from email.message import Message
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import translation

logger = logging.getLogger(__name__)

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
MAIL_TEMPLATES = Path(__file__).resolve().parent / "templates" / "notifications" / "mail"
LANGUAGES = ("de", "en")


class TemplateVariableMissing(TemplateSyntaxError):
    pass


class _Strict(str):
    """``string_if_invalid`` that turns a missing variable into an error naming it."""

    def __mod__(self, name):
        raise TemplateVariableMissing(f"Vorlagenvariable fehlt: {name}")


@functools.cache
def _engine(dirs: tuple[str, ...]) -> Engine:
    return Engine(
        dirs=list(dirs),
        string_if_invalid=_Strict("%s"),
        autoescape=False,
        libraries={},
    )


def render(*, kind: str, language: str, context: dict) -> tuple[str, str]:
    """Subject and body of the mail ``kind`` in ``language`` (German if none exists)."""
    language = language if language in LANGUAGES else "de"
    dirs = (*getattr(settings, "NOTIFICATIONS_MAIL_TEMPLATE_DIRS", ()), str(MAIL_TEMPLATES))
    engine = _engine(tuple(str(folder) for folder in dirs))
    try:
        template = engine.get_template(f"{language}/{kind}.txt")
    except TemplateDoesNotExist:
        template = engine.get_template(f"de/{kind}.txt")
    with translation.override(language):
        text = template.render(Context(context, autoescape=False))
    subject, _, body = text.lstrip("\n").partition("\n")
    return subject.strip(), body.strip("\n") + "\n"


@dataclasses.dataclass(frozen=True)
class Calendar:
    method: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file that goes with the mail (the papers of an invitation, a small minutes file)."""

    file_name: str
    data: bytes
    mime: str


def message_build(
    *,
    subject: str,
    body: str,
    to: str,
    to_name: str,
    message_id: str,
    headers: dict[str, str],
    calendar: Calendar | None = None,
    reply_to: str = "",
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """A Django ``EmailMessage`` with our headers, the ``.ics`` (if any) as a
    ``text/calendar; method=…`` part, which mail clients offer to add to the calendar, and
    ``attachments`` after it, as parts of their own."""
    recipient = f'"{to_name.replace(chr(34), "")}" <{to}>' if to_name else to
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated", **headers},
        reply_to=[reply_to] if reply_to else None,
    )
    if calendar is not None:
        part = MIMEText(calendar.data.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", calendar.method)
        filename = "absage.ics" if calendar.method == "CANCEL" else "einladung.ics"
        part.add_header("Content-Disposition", "attachment", filename=filename)
        message.attach(part)
    for attachment in attachments:
        message.attach(attachment.file_name, attachment.data, attachment.mime)
    return message


class _QuickFolding(Compat32):
    """compat32, the policy Django's messages are written with, minus the cost of folding a
    header that needs none.

    compat32 passes every header through ``email.header.Header`` to fold it, which for a
    short ASCII line splits it into chunks and joins them again, unchanged: for thousands
    of mails a minute that was a good part of the work of writing one. Such a line is
    written as it is; every other header goes the usual way.
    """

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= self.max_line_length
            and not any(character in value for character in "\r\n\t")
            and "  " not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


QUICK_FOLDING = _QuickFolding()


def flatten(message: Message) -> bytes:
    """The bytes of ``message`` as they go to the relay (CRLF line ends), the same bytes
    Django's ``as_bytes`` writes."""
    buffer = io.BytesIO()
    BytesGenerator(buffer, mangle_from_=False, policy=QUICK_FOLDING).flatten(message, linesep="\r\n")
    return buffer.getvalue()


class Temporary(Exception):
    """The relay said "later" (4xx), or could not be reached: nothing was delivered."""


class Permanent(Exception):
    """The relay refused for good (5xx): the text is the relay's."""


class Ambiguous(Exception):
    """The message data went out but no final answer came: it may have been delivered."""


class Withdrawn(Exception):
    """The check just before the data said the mail is no longer wanted as it stands (a
    cancellation, an opt-out committed meanwhile): nothing was delivered."""


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def _classify(code: int, reply) -> Exception:
    text = _reply_text(code, reply)
    return Temporary(text) if 400 <= code < 500 else Permanent(text)


class _Relay:
    """One SMTP connection per worker process, kept open between tasks.

    A new connection per mail would cost a TCP handshake and EHLO every time; a relay that
    closed the idle connection is noticed at the next MAIL and answered by one reconnect.
    """

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        timeout = settings.EMAIL_TIMEOUT
        try:
            if settings.EMAIL_USE_SSL:
                smtp = smtplib.SMTP_SSL(
                    settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
                if settings.EMAIL_USE_TLS:
                    smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo_or_helo_if_needed()
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except smtplib.SMTPResponseException as error:
            raise _classify(error.smtp_code, error.smtp_error) from None
        except (OSError, smtplib.SMTPException) as error:
            raise Temporary(f"Mailserver nicht erreichbar: {error or type(error).__name__}") from None
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
        self.smtp = None

    def _envelope(self, sender: str, recipient: str) -> None:
        assert self.smtp is not None
        code, reply = self.smtp.mail(sender)
        if code != 250:
            self.smtp.rset()
            raise _classify(code, reply)
        code, reply = self.smtp.rcpt(recipient)
        if code not in (250, 251):
            self.smtp.rset()
            raise _classify(code, reply)

    def send(self, sender: str, recipient: str, data: bytes, check=None, meanwhile=None) -> None:
        for attempt in (1, 2):
            if self.smtp is None:
                self.smtp = self._open()
            try:
                self._envelope(sender, recipient)
                break
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                # Before DATA nothing was delivered: a stale kept-open connection gets one
                # fresh try, anything else is a temporary failure.
                self.close()
                if attempt == 2:
                    raise Temporary(f"Verbindung zum Mailserver abgebrochen: {error or type(error).__name__}") from None
        # The check starts once the relay accepted the recipient and runs while the DATA
        # command makes its round trip: the data leaves only after its answer, so a change
        # committed before the check still wins, and the check costs no extra wait.
        try:
            answer = check() if check is not None else None
            code, reply = self._data_command()
            wanted = answer() if answer is not None else True
        except BaseException:
            # The relay waits for data that must not come: ending the connection before the
            # end of the data makes it drop the message (RFC 5321, 4.1.1.4).
            self.close()
            raise
        if not wanted:
            self.close()
            raise Withdrawn()
        try:
            self.smtp.send(_dot_stuffed(data))
            if meanwhile is not None:
                # The relay takes the data and answers: time for the next mail's own work.
                meanwhile()
            code, reply = self.smtp.getreply()
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as error:
            self.close()
            raise Ambiguous(
                f"Keine Antwort nach dem Senden der Daten: {error or type(error).__name__}; "
                "die Mail ist vielleicht angekommen"
            ) from None
        if code != 250:
            raise _classify(code, reply)

    def _data_command(self) -> tuple[int, bytes]:
        """The DATA command up to the relay's 354; nothing was delivered when it fails."""
        assert self.smtp is not None
        try:
            self.smtp.putcmd("data")
            code, reply = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise Temporary(f"Verbindung zum Mailserver abgebrochen: {error or type(error).__name__}") from None
        if code != 354:
            # Refused at the DATA command itself: nothing was sent.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.rset()
            raise _classify(code, reply)
        return code, reply


def _dot_stuffed(data: bytes) -> bytes:
    """The message data as it goes after DATA: a line starting with a dot gets a second one,
    and the lone dot ends it (RFC 5321, 4.5.2)."""
    stuffed = _LEADING_DOT.sub(b"..", data)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


_LEADING_DOT = re.compile(rb"(?m)^\.")


_relay = _Relay()


def relay_reset() -> None:
    """Close the kept-open SMTP connection (tests that restart the server use this)."""
    _relay.close()


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """A message ready for the relay: its envelope and, for SMTP, its bytes."""

    message: EmailMessage
    sender: str
    recipient: str
    data: bytes | None


def outgoing(message: EmailMessage) -> Outgoing:
    """``message`` written out for the relay (the sender writes the next mail while the
    relay takes the one before: ``deliver``'s ``meanwhile``)."""
    data = flatten(message.message()) if settings.EMAIL_BACKEND == SMTP_BACKEND else None
    # The envelope holds bare addresses; the headers keep the display names.
    return Outgoing(message, parseaddr(message.from_email)[1], parseaddr(message.recipients()[0])[1], data)


def deliver(message: EmailMessage | Outgoing, *, check=None, meanwhile=None) -> None:
    """Hand ``message`` to the relay; raises ``Temporary``, ``Permanent``, ``Ambiguous`` or
    ``Withdrawn``.

    With an SMTP relay configured the conversation is driven step by step so that a failure
    before the data (nothing delivered, safe to repeat) is told apart from one after it (may
    have been delivered). ``check`` starts the check whether the mail is still wanted and
    returns a callable giving its answer (true: send); it is started once the relay accepted
    the recipient (a slow relay can take seconds for the envelope), its answer awaited
    before the data leaves. ``meanwhile`` (no arguments, must not raise) is called while
    the relay takes the data, before its answer is read. Other backends (files under
    ``var/mail/`` by default) are used through Django's interface, after the check.
    """
    ready = message if isinstance(message, Outgoing) else outgoing(message)
    if ready.data is None or settings.EMAIL_BACKEND != SMTP_BACKEND:
        if check is not None and not check()():
            raise Withdrawn()
        get_connection(fail_silently=False).send_messages([ready.message])
        if meanwhile is not None:
            meanwhile()
        return
    _relay.send(ready.sender, ready.recipient, ready.data, check, meanwhile)

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
from email.utils import formatdate, parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers
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
    return _subject_and_body(_rendered(kind=kind, language=language, context=context))


def _rendered(*, kind: str, language: str, context: dict) -> str:
    language = language if language in LANGUAGES else "de"
    dirs = (*getattr(settings, "NOTIFICATIONS_MAIL_TEMPLATE_DIRS", ()), str(MAIL_TEMPLATES))
    engine = _engine(tuple(str(folder) for folder in dirs))
    try:
        template = engine.get_template(f"{language}/{kind}.txt")
    except TemplateDoesNotExist:
        template = engine.get_template(f"de/{kind}.txt")
    with translation.override(language):
        return template.render(Context(context, autoescape=False))


def _subject_and_body(text: str) -> tuple[str, str]:
    """The first line of a rendered template is the subject, the rest the body."""
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
    recipient = _recipient(to, to_name)
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


def _recipient(to: str, to_name: str) -> str:
    return f'"{to_name.replace(chr(34), "")}" <{to}>' if to_name else to


class _QuickFolding(Compat32):
    """compat32, the policy Django's messages are written with, minus the cost of folding a
    header that needs none.

    compat32 passes every header through ``email.header.Header`` to fold it, which for a
    short ASCII line splits it into chunks and joins them again, unchanged: for thousands
    of mails a minute that was a good part of the work of writing one. Such a line is
    written as it is. A longer printable ASCII value without a place to fold (no space,
    comma or semicolon: a List-Unsubscribe link, a long Message-ID) goes whole onto the
    next line, as ``Header`` puts it. Every other header goes the usual way.
    """

    def _fold(self, name, value, sanitize):
        if isinstance(value, str) and value.isascii() and value.isprintable():
            if len(name) + 2 + len(value) <= self.max_line_length and "  " not in value:
                return f"{name}: {value}{self.linesep}"
            if not any(character in value for character in " ,;"):
                return f"{name}: {self.linesep} {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


QUICK_FOLDING = _QuickFolding()
# The same, with the line ends of the wire (``flatten`` asks its generator for them).
_WIRE_FOLDING = QUICK_FOLDING.clone(linesep="\r\n")


def flatten(message: Message) -> bytes:
    """The bytes of ``message`` as they go to the relay (CRLF line ends), the same bytes
    Django's ``as_bytes`` writes."""
    buffer = io.BytesIO()
    BytesGenerator(buffer, mangle_from_=False, policy=QUICK_FOLDING).flatten(message, linesep="\r\n")
    return buffer.getvalue()


class Temporary(Exception):
    """The relay said "later" (4xx), or could not be reached: nothing was delivered."""


class Unreachable(Temporary):
    """The relay could not be reached, or the connection broke before the data: nothing
    was delivered, and nothing was said about this mail (unlike a 4xx, which may be about
    its recipient: a mailbox full, greylisting)."""


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
            raise Unreachable(f"Mailserver nicht erreichbar: {error or type(error).__name__}") from None
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
        self.smtp = None

    def _envelope(self, sender: str, recipient: str) -> None:
        assert self.smtp is not None
        code, reply = self.smtp.docmd("mail", f"FROM:{_quoted(sender)}")
        if code != 250:
            self.smtp.rset()
            raise _classify(code, reply)
        code, reply = self.smtp.docmd("rcpt", f"TO:{_quoted(recipient)}")
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
                    raise Unreachable(
                        f"Verbindung zum Mailserver abgebrochen: {error or type(error).__name__}"
                    ) from None
        # The check runs once the relay accepted the recipient, while the DATA command makes
        # its round trip (sent, its answer read after the check): the data leaves only
        # after the check, so a change committed before it still wins, and the check costs
        # no extra wait.
        try:
            self._data_command_send()
            wanted = check() if check is not None else True
            self._data_command_answer()
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

    def _data_command_send(self) -> None:
        """The DATA command (its answer read by ``_data_command_answer``)."""
        assert self.smtp is not None
        try:
            self.smtp.putcmd("data")
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise Unreachable(f"Verbindung zum Mailserver abgebrochen: {error or type(error).__name__}") from None

    def _data_command_answer(self) -> None:
        """The relay's answer to DATA, which must be 354; nothing was delivered when it is not."""
        assert self.smtp is not None
        try:
            code, reply = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise Unreachable(f"Verbindung zum Mailserver abgebrochen: {error or type(error).__name__}") from None
        if code != 354:
            # Refused at the DATA command itself: nothing was sent.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.rset()
            raise _classify(code, reply)


# An address that ``email.utils.parseaddr`` gives back as it is: ``smtplib.quoteaddr`` puts
# it in angle brackets and nothing else.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


def _quoted(address: str) -> str:
    """``address`` as ``smtplib``'s MAIL and RCPT commands write it (``quoteaddr``), without
    parsing a plain one: the parsing was a tenth of the CPU time of a mail's SMTP commands."""
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


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

    # None for a mail written from a group's form (``Form``): SMTP only, bytes alone.
    message: EmailMessage | None
    sender: str
    recipient: str
    data: bytes | None


def outgoing(message: EmailMessage) -> Outgoing:
    """``message`` written out for the relay (the sender writes the next mail while the
    relay takes the one before: ``deliver``'s ``meanwhile``)."""
    data = flatten(message.message()) if settings.EMAIL_BACKEND == SMTP_BACKEND else None
    # The envelope holds bare addresses; the headers keep the display names.
    return Outgoing(message, parseaddr(message.from_email)[1], parseaddr(message.recipients()[0])[1], data)


# A group's mails from one form ------------------------------------------------------

# Stand-ins for what is each recipient's own while a group's form is rendered: a name
# between two characters of Unicode's private use area, which no template or typed text
# makes. The second set differs at both ends, in case and in length, so that a template
# that changes a recipient's value (``|upper``, ``|slice``, ``|truncatechars``) or measures
# it (``|length``) shows in the comparison of the two renderings.
_STAND_IN = re.compile("\ue000([a-z_]+)\ue001")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Per recipient: the rest of the header block is the group's.
_OWN_HEADERS = ("Content-Transfer-Encoding", "Subject", "To", "Date", "Message-ID")


def _stand_ins(names, *, second: bool = False) -> dict[str, str]:
    if second:
        return {name: f"\ue002{name.upper()}Zz\ue003" for name in names}
    return {name: f"\ue000{name}\ue001" for name in names}


class Form:
    """The mail of a group of recipients (a reminder in one language, a Rundmail), rendered
    once with stand-ins for what is each recipient's own — the name, the signed links,
    the unsubscribe header — and written out per recipient by putting their values in
    (``outgoing``): the bytes ``render``, ``message_build`` and ``flatten`` make, without
    a template rendering, an ``EmailMessage`` and its flattening per mail (most of the work
    of sending one). Plain text mails only: one with a calendar or files goes the general
    way.

    Only what a template shows as it is can be put in afterwards: it is rendered with two
    sets of stand-ins, and unless the second set put into the first rendering gives the
    second rendering, the form is not used (``usable``) and each mail is rendered on its
    own. The header block is Django's, from a message made once with stand-ins.
    """

    def __init__(
        self,
        *,
        kind: str,
        language: str,
        context: dict,
        personal: tuple[str, ...],
        headers: dict[str, str],
        personal_headers: tuple[str, ...],
    ) -> None:
        self.context = context
        self.fixed_headers = {name: value for name, value in headers.items() if name not in personal_headers}
        self.header_names = tuple(headers)
        self.personal = personal
        self.personal_headers = personal_headers
        first = _rendered(kind=kind, language=language, context={**context, **_stand_ins(personal)})
        second = _rendered(kind=kind, language=language, context={**context, **_stand_ins(personal, second=True)})
        # Literal text and names of values in turn: "Guten Tag ", "name", ",\n\n…".
        self.pieces = _STAND_IN.split(first)
        self.usable = (
            all(name in personal for name in self.pieces[1::2])
            and self._text(_stand_ins(personal, second=True)) == second
        )
        stand_in = message_build(
            subject="-",
            body="-\n",
            to="stand-in@example.org",
            to_name="",
            message_id="<stand-in@example.org>",
            headers=headers,
        ).message()
        own = (*_OWN_HEADERS, *personal_headers)
        self.header_block: list[bytes | str] = [
            name if name in own else _WIRE_FOLDING.fold_binary(name, value) for name, value in stand_in.raw_items()
        ]
        self.sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        self.written: dict[tuple[str, str], bytes] = {}

    def _text(self, values: dict[str, str]) -> str:
        pieces = list(self.pieces)
        pieces[1::2] = [values[name] for name in pieces[1::2]]
        return "".join(pieces)

    def _header(self, name: str, value: str) -> bytes:
        """A header as ``SafeMIMEText`` stores it and ``flatten`` writes it."""
        return _WIRE_FOLDING.fold_binary(*forbid_multi_line_headers(name, value, "utf-8"))

    def _header_shared(self, name: str, value: str) -> bytes:
        """``_header`` for a value many mails of the group share (the subject): once each."""
        key = (name, value)
        if key not in self.written:
            self.written[key] = self._header(name, value)
        return self.written[key]

    def outgoing(
        self, *, context: dict, values: dict[str, str], to: str, to_name: str, message_id: str, headers: dict
    ) -> Outgoing | None:
        """The mail to one recipient ready for the relay, or ``None`` where it must go the
        general way: the form is not usable, was made for other shared values or headers,
        the relay is not SMTP, a value is empty (a template may ask ``{% if name %}``), or
        a line is too long for 8bit (Django then writes quoted-printable)."""
        if (
            not self.usable
            or settings.EMAIL_BACKEND != SMTP_BACKEND
            or context != self.context
            or tuple(headers) != self.header_names
            or any(headers[name] != value for name, value in self.fixed_headers.items())
            or tuple(values) != self.personal
            or not all(isinstance(value, str) and value for value in values.values())
        ):
            return None
        subject, body = _subject_and_body(self._text(values))
        if any(
            len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in body.splitlines()
        ):
            return None
        recipient = _recipient(to, to_name)
        own = {
            # What ``email.encoders.encode_7or8bit`` decides for Django's utf-8 text part.
            "Content-Transfer-Encoding": "7bit" if body.isascii() else "8bit",
            "Subject": subject,
            "To": recipient,
            # As Django dates each message it writes.
            "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            "Message-ID": message_id,
            **{name: headers[name] for name in self.personal_headers},
        }
        written = [
            entry
            if isinstance(entry, bytes)
            else (self._header_shared if entry in ("Subject", "Content-Transfer-Encoding") else self._header)(
                entry, own[entry]
            )
            for entry in self.header_block
        ]
        data = b"".join(written) + b"\r\n" + _NEWLINE.sub("\r\n", body).encode("utf-8")
        # The envelope: the address itself (``to`` is a bare address; the header keeps the name).
        return Outgoing(None, self.sender, to, data)


def deliver(message: EmailMessage | Outgoing, *, check=None, meanwhile=None) -> None:
    """Hand ``message`` to the relay; raises ``Temporary``, ``Permanent``, ``Ambiguous`` or
    ``Withdrawn``.

    With an SMTP relay configured the conversation is driven step by step so that a failure
    before the data (nothing delivered, safe to repeat) is told apart from one after it (may
    have been delivered). ``check`` says whether the mail is still wanted (true: send); it
    runs once the relay accepted the recipient (a slow relay can take seconds for the
    envelope), while the DATA command makes its round trip, and the data leaves only after
    it. ``meanwhile`` (no arguments, must not raise) is called while
    the relay takes the data, before its answer is read. Other backends (files under
    ``var/mail/`` by default) are used through Django's interface, after the check.
    """
    ready = message if isinstance(message, Outgoing) else outgoing(message)
    if ready.data is None or settings.EMAIL_BACKEND != SMTP_BACKEND:
        if check is not None and not check():
            raise Withdrawn()
        get_connection(fail_silently=False).send_messages([ready.message])
        if meanwhile is not None:
            meanwhile()
        return
    _relay.send(ready.sender, ready.recipient, ready.data, check, meanwhile)

"""Signed links that let a member answer a meeting or vote in a poll without logging in.

A mail link carries who (person) and what (meeting or poll), signed with the secret key and
a purpose-specific salt, so a token for one action can never be replayed for another.
Tokens expire; a link opened after the meeting asks the member to log in instead.

Links are followed with GET by mail scanners (Outlook "Safe Links", spam filters) that
open every link in a message. The page a link opens therefore only *shows* the answer,
preselected; the one click on its button (a POST) records it. Otherwise a scanner would
answer "zusage" and then "absage" on the member's behalf.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from django.core import signing
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import translation

ANSWER_SALT = "netzwerk.meetings.answer"
POLL_SALT = "netzwerk.meetings.poll-vote"
GUEST_CANCEL_SALT = "netzwerk.meetings.guest-cancel"
# Invitations go out weeks ahead and series reminders a week before: 90 days covers both
# without leaving links valid for ever.
MAX_AGE = datetime.timedelta(days=90)


# A token as ``signing.dumps`` writes it (URL-safe base64 and colons): ``reverse`` leaves
# its characters as they are.
_TOKEN = re.compile(r"[A-Za-z0-9_:-]+")
_TOKEN_STAND_IN = "tokenStandIn"


def signed_path(name: str, token: str) -> str:
    """``reverse(name, kwargs={"token": token})``, the URL pattern reversed once (per
    URLconf, script prefix and language) and the token put in: a reminder to 10,000
    members has three signed links each, and reversing one cost more than signing it."""
    if not _TOKEN.fullmatch(token):
        return reverse(name, kwargs={"token": token})
    head, tail = _around_token(name, get_resolver(get_urlconf()), get_script_prefix(), translation.get_language())
    return f"{head}{token}{tail}"


@functools.lru_cache(maxsize=64)
def _around_token(name: str, resolver, prefix: str, language: str | None) -> tuple[str, str]:
    head, _stand_in, tail = reverse(name, kwargs={"token": _TOKEN_STAND_IN}, urlconf=resolver.urlconf_name).partition(
        _TOKEN_STAND_IN
    )
    return head, tail


class TokenInvalid(Exception):
    """The link was altered, is for another purpose, or has expired."""


@dataclass(frozen=True)
class AnswerToken:
    meeting_id: int
    person_id: int


@dataclass(frozen=True)
class PollToken:
    poll_id: int
    person_id: int


def answer_token_make(*, meeting_id: int, person_id: int) -> str:
    return signing.dumps([meeting_id, person_id], salt=ANSWER_SALT, compress=False)


def answer_token_read(token: str, *, max_age: datetime.timedelta = MAX_AGE) -> AnswerToken:
    try:
        meeting_id, person_id = signing.loads(token, salt=ANSWER_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None
    return AnswerToken(meeting_id=int(meeting_id), person_id=int(person_id))


def poll_token_make(*, poll_id: int, person_id: int) -> str:
    return signing.dumps([poll_id, person_id], salt=POLL_SALT, compress=False)


def poll_token_read(token: str, *, max_age: datetime.timedelta = MAX_AGE) -> PollToken:
    try:
        poll_id, person_id = signing.loads(token, salt=POLL_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None
    return PollToken(poll_id=int(poll_id), person_id=int(person_id))


def answer_path(*, meeting_id: int, person_id: int, answer: str) -> str:
    """The path of the one-click answer page, ``answer`` preselected (zusage, absage, …)."""
    return answer_paths(meeting_id=meeting_id, person_id=person_id, answers=(answer,))[answer]


def answer_paths(*, meeting_id: int, person_id: int, answers: tuple[str, ...]) -> dict[str, str]:
    """``answer_path`` for each of ``answers``: one token signed for all of them (a mail
    links „zusagen“ and „absagen“, and is written thousands of times for a reminder)."""
    token = answer_token_make(meeting_id=meeting_id, person_id=person_id)
    page = signed_path("meetings:answer_by_token", token)
    return {answer: f"{page}?antwort={answer}" for answer in answers}


def poll_vote_path(*, poll_id: int, person_id: int) -> str:
    """The path of the page where an invitee votes on every option of a poll."""
    token = poll_token_make(poll_id=poll_id, person_id=person_id)
    return signed_path("meetings:poll_vote_by_token", token)


def guest_cancel_token_make(*, registration_id: int) -> str:
    """The link in a guest's mails that cancels their registration. It needs no expiry:
    it works as long as the registration exists, which ends with the retention period."""
    return signing.dumps(registration_id, salt=GUEST_CANCEL_SALT, compress=False)


def guest_cancel_token_read(token: str) -> int:
    try:
        return int(signing.loads(token, salt=GUEST_CANCEL_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None


def guest_cancel_path(*, registration_id: int) -> str:
    """The path of the page where a guest cancels (GET shows a button, POST cancels)."""
    token = guest_cancel_token_make(registration_id=registration_id)
    return signed_path("meetings:guest_cancel", token)

"""Answering a meeting and voting in a poll from a mail link, without logging in.

The link's signed token names the person and the meeting (or poll); see ``meetings.tokens``
for why the page shows the choice and a button records it.
"""

from itertools import zip_longest

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts.models import Person
from meetings import conflicts, selectors, tokens
from meetings.models import Attendance, DatePoll, DatePollVote, Meeting
from meetings.services import attendance_answer, poll_vote


def _invalid_link(request) -> TemplateResponse:
    return TemplateResponse(
        request,
        "meetings/answer_link_invalid.html",
        status=404,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def answer_by_token(request, token: str):
    """Show the preselected answer (GET); record it with one click (POST)."""
    try:
        claim = tokens.answer_token_read(token)
    except tokens.TokenInvalid:
        return _invalid_link(request)
    meeting = Meeting.objects.select_related("network", "institution").filter(pk=claim.meeting_id).first()
    person = Person.objects.filter(pk=claim.person_id).first()
    if meeting is None or person is None:
        return _invalid_link(request)
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first()
    chosen = request.POST.get("antwort") if request.method == "POST" else request.GET.get("antwort")
    if chosen not in Attendance.Answer.values:
        chosen = attendance.answer if attendance is not None and attendance.answer else Attendance.Answer.YES
    context = {
        "meeting": meeting,
        "person": person,
        "answers": Attendance.Answer.choices,
        "chosen": chosen,
        "note": attendance.note if attendance is not None else "",
        "recorded": None,
        "error": "",
    }
    status = 200
    if request.method == "POST":
        note = request.POST.get("bemerkung", "")[:300]
        context["note"] = note
        try:
            context["recorded"] = attendance_answer(meeting=meeting, person=person, answer=chosen, note=note)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            status = 400
    return render(request, "meetings/answer_by_token.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def poll_vote_by_token(request, token: str):
    """Show every option of the poll with the invitee's current votes; save them all at once."""
    try:
        claim = tokens.poll_token_read(token)
    except tokens.TokenInvalid:
        return _invalid_link(request)
    try:
        poll = selectors.poll_detail(claim.poll_id)
    except DatePoll.DoesNotExist:
        return _invalid_link(request)
    person = Person.objects.filter(pk=claim.person_id).first()
    if person is None:
        return _invalid_link(request)
    options = list(poll.options.all())
    current = {
        vote.option_id: vote.answer for option in options for vote in option.votes.all() if vote.person_id == person.pk
    }
    errors: list[str] = []
    saved = False
    if request.method == "POST":
        chosen = {option.pk: request.POST.get(f"option-{option.pk}", "") for option in options}
        if any(answer not in DatePollVote.Answer.values for answer in chosen.values()):
            # Nothing is preselected: an option left open is answered on the page, not guessed.
            errors = [_("Bitte wählen Sie für jeden Terminvorschlag ja, wenn nötig oder nein.")]
        else:
            errors, saved = _poll_votes_save(options, person, chosen)
        current = chosen
    hints = conflicts.poll_option_conflicts(network=poll.network, options=options) if poll.is_open else []
    rows = [
        (option, current.get(option.pk, ""), option_hints)
        for option, option_hints in zip_longest(options, hints, fillvalue=[])
    ]
    return render(
        request,
        "meetings/poll_vote_by_token.html",
        {
            "poll": poll,
            "person": person,
            "rows": rows,
            "answers": DatePollVote.Answer.choices,
            "errors": errors,
            "saved": saved,
        },
        status=400 if errors else 200,
    )


def _poll_votes_save(options, person, chosen) -> tuple[list[str], bool]:
    """Save every vote or none; the German messages of a refusal, and whether it saved."""
    try:
        # All votes or none: a half-saved matrix would misstate the member's answer.
        with transaction.atomic():
            for option in options:
                poll_vote(option=option, person=person, answer=chosen[option.pk])
    except ValidationError as error:
        return error.messages, False
    return [], True

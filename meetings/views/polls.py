"""Date polls (Terminumfragen) on the web: create, the answer matrix, vote, close → meeting.

Options are time ranges or whole days; a whole day is a date and is shown as that date to
everyone. Voting needs an invitation (``meetings.selectors.poll_invitees``), which the
service checks; the page saves all of a member's votes at once or none.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts.models import Person
from contacts.selectors import audience_for, user_roles
from contacts.visibility import project_person
from meetings import conflicts, selectors, services
from meetings.forms import VOTE_CHOICES, PollCloseForm, PollForm, PollOptionFormSet
from meetings.models import DatePollVote
from meetings.recurrence import BERLIN
from meetings.views.access import guarded, managed_network, require_login, require_manage, require_member


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def poll_create(request, slug: str):
    """Start a poll: title, deadline, invitees by role, proposals as time ranges or whole days."""
    network = managed_network(request, slug)
    form = PollForm(request.POST or None)
    options = PollOptionFormSet(request.POST or None, prefix="vorschlag")
    status = 200
    if request.method == "POST":
        valid = form.is_valid() & options.is_valid()
        proposals = [proposal for proposal in (row.proposal() for row in options.forms if row.is_valid()) if proposal]
        if valid:
            try:
                poll = services.poll_create(
                    network=network,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    deadline=form.cleaned_data["deadline"],
                    invitee_roles=form.cleaned_data["invitee_roles"],
                    options=proposals,
                    actor=request.user,
                )
            except ValidationError as error:
                form.errors_from_service(error, PollForm.SERVICE_FIELDS)
            else:
                messages.success(request, _("Die Terminumfrage ist angelegt."))
                return redirect("meetings:poll_detail", pk=poll.pk)
        status = 400
    return render(
        request, "meetings/poll_form.html", {"network": network, "form": form, "options": options}, status=status
    )


def _poll_or_404(request, pk: int):
    poll = selectors.poll_page(poll_id=pk, user=request.user)
    if poll is None:
        raise Http404(_("Diese Terminumfrage gibt es nicht, oder sie ist nur für Mitglieder sichtbar."))
    return poll


def _option_order(option) -> tuple:
    """By day, a whole day before the times of that day: the same order on every database
    (the model's ordering puts NULL days first on SQLite and last on PostgreSQL)."""
    if option.is_whole_day:
        return (option.day, 0, datetime.time.min, option.pk)
    local = option.start.astimezone(BERLIN)
    return (local.date(), 1, local.time(), option.pk)


def _poll_context(request, poll, **extra) -> dict:
    """The matrix: invitees (projected) × options, with each vote; sums of ja and wenn nötig."""
    audience = audience_for(request.user)
    options = sorted(poll.options.all(), key=_option_order)
    votes = {(vote.person_id, option.pk): vote.answer for option in options for vote in option.votes.all()}
    invitees = list(selectors.people_for_projection(selectors.poll_invitees(poll)))
    rows = [
        (project_person(person, audience), [votes.get((person.pk, option.pk), "") for option in options])
        for person in invitees
    ]
    sums = [
        (
            sum(1 for person in invitees if votes.get((person.pk, option.pk)) == DatePollVote.Answer.YES),
            sum(1 for person in invitees if votes.get((person.pk, option.pk)) == DatePollVote.Answer.IF_NEED_BE),
        )
        for option in options
    ]
    person_id = user_roles(request.user).person_id
    invited = any(person.pk == person_id for person in invitees)
    manages = selectors.user_manages(request.user, poll.network)
    if poll.is_open:
        hints = conflicts.poll_option_conflicts(network=poll.network, options=options)
    else:
        hints = [[] for _option in options]
    context = {
        "poll": poll,
        "network": poll.network,
        "options": options,
        "rows": rows,
        "sums": sums,
        "answers": VOTE_CHOICES,
        "answer_labels": dict(VOTE_CHOICES),
        "may_vote": invited and poll.is_open and poll.deadline > timezone.now(),
        "option_hints": list(zip(options, hints, strict=True)),
        "vote_rows": [
            (option, votes.get((person_id, option.pk), ""), option_hints)
            for option, option_hints in zip(options, hints, strict=True)
        ],
        "manages": manages,
    }
    if manages and poll.is_open and "close_form" not in extra:
        context["close_form"] = PollCloseForm(options=options, prefix="abschluss")
    context.update(extra)
    return context


@require_safe
@guarded
def poll_detail(request, pk: int):
    """The poll with the answer matrix; members vote here, speakers close it."""
    require_login(request)
    poll = _poll_or_404(request, pk)
    return render(request, "meetings/poll_detail.html", _poll_context(request, poll))


@require_POST
@guarded
def poll_vote(request, pk: int):
    """Save a member's votes on every option at once (ja, wenn nötig, nein)."""
    require_login(request)
    poll = _poll_or_404(request, pk)
    require_member(request, poll.network)
    options = sorted(poll.options.all(), key=_option_order)
    chosen = {option.pk: request.POST.get(f"option-{option.pk}", "") for option in options}
    if any(answer not in DatePollVote.Answer.values for answer in chosen.values()):
        # Nothing is preselected: an option left open is answered on the page, not guessed.
        message = _("Bitte wählen Sie für jeden Terminvorschlag ja, wenn nötig oder nein.")
        return render(
            request, "meetings/poll_detail.html", _poll_context(request, poll, vote_errors=[message]), status=400
        )
    person = Person.objects.get(pk=user_roles(request.user).person_id)
    try:
        with transaction.atomic():
            for option in options:
                services.poll_vote(option=option, person=person, answer=chosen[option.pk])
    except ValidationError as error:
        context = _poll_context(request, poll, vote_errors=error.messages)
        return render(request, "meetings/poll_detail.html", context, status=400)
    messages.success(request, _("Ihre Stimmen sind gespeichert."))
    return redirect("meetings:poll_detail", pk=poll.pk)


@require_POST
@guarded
def poll_close(request, pk: int):
    """Close the poll with the chosen option; the meeting is created (geplant)."""
    require_login(request)
    poll = _poll_or_404(request, pk)
    require_manage(request, poll.network)
    options = sorted(poll.options.all(), key=_option_order)
    form = PollCloseForm(request.POST, options=options, prefix="abschluss")
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.poll_close(
                poll=poll,
                option=data["chosen"],
                start_time=data.get("start_time"),
                end_time=data.get("end_time"),
                visibility=data["visibility"],
                address=data["address"],
                room=data["room"],
                actor=request.user,
            )
        except ValidationError as error:
            form.errors_from_service(error, PollCloseForm.SERVICE_FIELDS)
        else:
            messages.success(request, _("Die Umfrage ist geschlossen und die Sitzung angelegt."))
            return redirect("meetings:meeting_detail", uid=meeting.uid)
    context = _poll_context(request, poll, close_form=form)
    return render(request, "meetings/poll_detail.html", context, status=400)

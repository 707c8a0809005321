"""The delivery-log dashboard: what was sent per kind and week, what failed and why, and
what is due. Six queries whatever the size of the log."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from contacts.models import Membership
from meetings.recurrence import BERLIN
from notifications.models import Delivery, Kind
from notifications.services.planning import TERM_NOTICE_DAYS

DASHBOARD_WEEKS = 8
RECENT_FAILURES = 20
# Open rows whose moment passed this long ago are late: the sweep or the workers are stuck.
LATE_AFTER = datetime.timedelta(minutes=15)
TERM_LOOKAHEAD_DAYS = 30


@dataclass
class DeliveryDashboard:
    weeks: list[datetime.date]
    # kind → counts per week (same order as ``weeks``), only kinds with mail in the period.
    sent: dict[str, list[int]]
    failed_per_week: list[int]
    reasons: list[dict]
    recent_failures: list[Delivery]
    due: list[dict]
    late: int
    terms_coming: list[Membership]

    @property
    def sent_per_week(self) -> list[int]:
        return [sum(counts[index] for counts in self.sent.values()) for index in range(len(self.weeks))]

    @property
    def sent_rows(self) -> list[tuple[str, list[int], int]]:
        return [(str(Kind(kind).label), counts, sum(counts)) for kind, counts in self.sent.items()]


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def delivery_dashboard(*, now: datetime.datetime | None = None, weeks: int = DASHBOARD_WEEKS) -> DeliveryDashboard:
    """The last ``weeks`` weeks of the delivery log (Monday to Sunday, Berlin time), its
    failures with their reasons, the rows still open, and the speaker terms whose mail
    falls due within ``TERM_LOOKAHEAD_DAYS``."""
    now = now or timezone.now()
    today = now.astimezone(BERLIN).date()
    first = _monday(today) - datetime.timedelta(weeks=weeks - 1)
    since = datetime.datetime.combine(first, datetime.time(), tzinfo=BERLIN)
    mondays = [first + datetime.timedelta(weeks=index) for index in range(weeks)]
    position = {monday: index for index, monday in enumerate(mondays)}

    def week_of(moment) -> int | None:
        if moment is None:
            return None
        day = moment.date() if isinstance(moment, datetime.datetime) else moment
        return position.get(_monday(day))

    sent: dict[str, list[int]] = {}
    rows = (
        Delivery.objects.filter(state=Delivery.State.SENT, sent_at__gte=since)
        .annotate(week=TruncWeek("sent_at", tzinfo=BERLIN))
        .values("week", "kind")
        .order_by()
        .annotate(count=Count("pk"))
    )
    for row in rows:
        index = week_of(row["week"])
        if index is not None and row["kind"] in Kind.values:
            sent.setdefault(row["kind"], [0] * weeks)[index] += row["count"]
    sent = {kind: sent[kind] for kind in Kind.values if kind in sent}
    failed_per_week = [0] * weeks
    failed = (
        Delivery.objects.filter(state=Delivery.State.FAILED, updated_at__gte=since)
        .annotate(week=TruncWeek("updated_at", tzinfo=BERLIN))
        .values("week")
        .order_by()
        .annotate(count=Count("pk"))
    )
    for row in failed:
        index = week_of(row["week"])
        if index is not None:
            failed_per_week[index] += row["count"]
    reasons = list(
        Delivery.objects.filter(
            state__in=(Delivery.State.FAILED, Delivery.State.MISSED, Delivery.State.SKIPPED), updated_at__gte=since
        )
        .values("state", "kind", "last_error")
        .order_by()
        .annotate(count=Count("pk"))
        .order_by("-count", "state", "kind")
    )
    for reason in reasons:
        reason["state_label"] = str(Delivery.State(reason["state"]).label)
        reason["kind_label"] = str(Kind(reason["kind"]).label) if reason["kind"] in Kind.values else reason["kind"]
    recent_failures = list(
        Delivery.objects.filter(state=Delivery.State.FAILED)
        .select_related("network")
        .order_by("-updated_at", "-pk")[:RECENT_FAILURES]
    )
    due = list(
        Delivery.objects.filter(state__in=(*Delivery.CLAIMABLE, Delivery.State.CLAIMED))
        .values("kind")
        .order_by()
        .annotate(
            count=Count("pk"),
            first=Min("next_attempt_at"),
            late=Count("pk", filter=Q(next_attempt_at__lt=now - LATE_AFTER)),
            ready=Count("pk", filter=Q(next_attempt_at__lte=now)),
        )
        .order_by("first")
    )
    for row in due:
        row["kind_label"] = str(Kind(row["kind"]).label) if row["kind"] in Kind.values else row["kind"]
    # Terms whose mail the sweep plans within the look-ahead (60 days before their end).
    notice = datetime.timedelta(days=TERM_NOTICE_DAYS)
    terms_coming = list(
        Membership.objects.active(today)
        .leading()
        .filter(end__gt=today + notice, end__lte=today + notice + datetime.timedelta(days=TERM_LOOKAHEAD_DAYS))
        .select_related("network", "person")
        .order_by("end", "network__name")
    )
    for membership in terms_coming:
        membership.notice_day = membership.end - notice
    return DeliveryDashboard(
        weeks=mondays,
        sent=sent,
        failed_per_week=failed_per_week,
        reasons=reasons,
        recent_failures=recent_failures,
        due=due,
        late=sum(row["late"] for row in due),
        terms_coming=terms_coming,
    )

"""A location's day in numbers, for its admin page: batches per hour, how many the POS
accepted and turned down (and why), how long it took to answer (median and 95th
percentile), and the products ordered most. Charts are SVG drawn here: no scripts."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ordering.models import Batch, BatchLine, BatchState
from ordering.reasons import Reason

BAR = "#417690"  # the admin's own blue
WIDTH, HEIGHT, PAD = 640, 180, 28


@dataclass
class DayReport:
    day: date
    total: int = 0
    per_hour: list[int] = field(default_factory=lambda: [0] * 24)
    states: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    median_seconds: float | None = None
    p95_seconds: float | None = None
    top_products: list[tuple[str, int]] = field(default_factory=list)

    def rate(self, state: str) -> str:
        if not self.total:
            return "—"
        return f"{100 * self.states[state] / self.total:.0f}%"

    @property
    def accepted_rate(self) -> str:
        return self.rate(BatchState.ACCEPTED)

    @property
    def rejected_rate(self) -> str:
        return self.rate(BatchState.REJECTED)

    @property
    def reason_rows(self) -> list[tuple[str, int]]:
        return [
            (Reason(r).label if r in Reason.values else (r or "no reason given"), n)
            for r, n in self.reasons.most_common()
        ]

    @property
    def state_rows(self) -> list[tuple[str, int, str]]:
        return [
            (BatchState(s).label, self.states[s], self.rate(s))
            for s in BatchState.values
            if self.states[s]
        ]

    @property
    def hours_chart(self) -> SafeString:
        return bar_chart(
            [f"{h:02d}" for h in range(24)], self.per_hour, "Batches per hour", every=3
        )

    @property
    def products_chart(self) -> SafeString:
        names = [name for name, _ in self.top_products]
        return bar_chart(names, [n for _, n in self.top_products], "Products ordered most")


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share 0.5 is the median of an odd count)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def day_report(location_id: int, day: date | None = None, top: int = 8) -> DayReport:
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    batches = Batch.objects.filter(
        session__table__location_id=location_id, created_at__gte=start, created_at__lt=end
    )
    report = DayReport(day=day)
    waits = []
    for created_at, state, reason, sent_at, answered_at in batches.values_list(
        "created_at", "state", "rejection_reason", "sent_at", "answered_at"
    ):
        report.total += 1
        report.per_hour[timezone.localtime(created_at).hour] += 1
        report.states[state] += 1
        if state != BatchState.ACCEPTED and state in {
            BatchState.REJECTED,
            BatchState.FAILED,
            BatchState.UNCONFIRMED,
        }:
            report.reasons[reason] += 1
        if sent_at and answered_at and state in (BatchState.ACCEPTED, BatchState.REJECTED):
            waits.append((answered_at - sent_at).total_seconds())
    report.median_seconds = percentile(waits, 0.5)
    report.p95_seconds = percentile(waits, 0.95)
    report.top_products = list(
        BatchLine.objects.filter(batch__in=batches, batch__state=BatchState.ACCEPTED)
        .values_list("name")
        .annotate(ordered=Sum("quantity"))
        .order_by("-ordered", "name")[:top]
    )
    return report


def bar_chart(labels: list[str], values: list[int], title: str, every: int = 1) -> SafeString:
    """A bar chart as inline SVG, labelled for screen readers (role img, a title)."""
    count = max(len(values), 1)
    top = max(values, default=0) or 1
    slot = (WIDTH - 2 * PAD) / count
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 40}" '
        f'width="{WIDTH}" height="{HEIGHT + 40}" role="img" aria-label="{escape(title)}" '
        f'class="report-chart"><title>{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH - PAD}" y2="{HEIGHT}" stroke="#999"/>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - PAD) * value / top
        x = PAD + index * slot
        parts.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{HEIGHT - height:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{height:.1f}" fill="{BAR}"><title>{escape(label)}: {value}</title></rect>'
        )
        if value:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - height - 4:.1f}" font-size="11" '
                f'text-anchor="middle">{value}</text>'
            )
        if index % every == 0:
            text = label if len(label) <= 14 else label[:13] + "…"
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT + 16}" font-size="11" '
                f'text-anchor="middle">{escape(text)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label escaped above

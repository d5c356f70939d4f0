"""A location's day on its admin page: batches per hour, acceptance and rejection rates
with reasons, median and 95th-percentile time to the POS's answer, the products ordered
most, as SVG charts drawn on the server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from ordering.models import BatchLine, BatchState
from ordering.reasons import Reason
from ordering.report import day_report, percentile
from tests.test_admin_people import logged_in, person, second_location
from tests.test_floor import a_batch, a_visit

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate(), datetime.min.time()).replace(
            hour=hour, minute=minute
        )
    )


def a_day(location) -> None:
    table = location.tables.get(pos_table_id="10")
    session, (anna,) = a_visit(table, 1)
    for minute, wait in enumerate([0.2, 0.4, 0.6, 0.8, 3.0]):
        sent = at(12, minute)
        a_batch(
            session,
            anna,
            BatchState.ACCEPTED,
            created_at=sent,
            sent_at=sent,
            answered_at=sent + timedelta(seconds=wait),
            result_code=0,
        )
    rejected = a_batch(
        session,
        anna,
        BatchState.REJECTED,
        created_at=at(19),
        sent_at=at(19),
        answered_at=at(19) + timedelta(seconds=1),
        result_code=5,
        rejection_reason=Reason.OUT_OF_STOCK,
    )
    BatchLine.objects.filter(batch=rejected).update(name="Steak")  # not ordered: turned down
    a_batch(session, anna, BatchState.FAILED, created_at=at(19, 5), rejection_reason="UNREACHABLE")


def test_percentiles_by_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 95.0


def test_the_days_numbers(dining_room):
    a_day(dining_room)
    report = day_report(dining_room.pk)
    assert report.total == 7
    assert report.per_hour[12] == 5 and report.per_hour[19] == 2
    assert report.accepted_rate == "71%" and report.rejected_rate == "14%"
    assert dict(report.reason_rows) == {"Out of stock": 1, "POS unreachable": 1}
    assert report.median_seconds == pytest.approx(0.6)
    assert report.p95_seconds == pytest.approx(3.0)
    assert report.top_products == [("Corona", 10)]  # 5 accepted batches of 2
    assert day_report(second_location().pk).total == 0


def test_the_location_page_shows_the_report_as_svg_charts(dining_room):
    a_day(dining_room)
    client = logged_in(person("morgan", "Managers", dining_room))
    page = client.get(f"/admin/tables/location/{dining_room.pk}/change/").content.decode()
    report = page.split('id="day-report"')[1].split("</fieldset>")[0]
    assert "7</strong> batches: 71% accepted, 14% turned down" in report
    assert "median 0.60 s, 95th percentile 3.00 s" in report
    assert report.count("<svg") == 2 and "<script" not in report
    assert 'aria-label="Batches per hour"' in report
    assert 'aria-label="Products ordered most"' in report and "Corona: 10" in report
    assert "Out of stock" in report and "POS unreachable" in report
    yesterday = client.get(
        f"/admin/tables/location/{dining_room.pk}/change/?day="
        f"{(timezone.localdate() - timedelta(days=1)).isoformat()}"
    ).content.decode()
    assert "No batches that day." in yesterday


def test_only_those_who_see_orders_get_the_report(dining_room):
    from django.contrib.auth.models import Permission

    viewer = person("vic", None, dining_room)
    viewer.user_permissions.add(Permission.objects.get(codename="view_location"))
    page = logged_in(viewer).get(f"/admin/tables/location/{dining_room.pk}/change/")
    assert page.status_code == 200 and 'id="day-report"' not in page.content.decode()

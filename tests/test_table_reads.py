"""The reads made on every push and page are written as SQL (openapp_site.rows): they must
give what the ORM gives, field for field, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
import time
import uuid
from decimal import Decimal

from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from ordering import checks, live, till
from ordering.checks import CheckLine, CheckState
from ordering.models import Batch, BatchState, CheckSupport, TableCheck
from tables.diners import session_and_diner
from tables.models import Diner, TableSession
from tests.phones import Phone


def same_fields(made: models.Model, stored: models.Model) -> None:
    """Every column, including those the SQL left to load on first use."""
    assert type(made) is type(stored)
    for field in stored._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(stored, field.attname), field.name


def seated(table) -> Phone:
    phone = Phone()
    phone.scan(table)
    return phone


def two_coronas() -> CheckState:
    return CheckState(
        currency="GBP",
        lines=[CheckLine(line_id="L1", name="Corona", quantity=2, total=Decimal("9.90"))],
        amount=Decimal("9.90"),
        amount_owing=Decimal("9.90"),
    )


def test_a_push_reads_the_open_check_with_its_session_table_and_location(table_10):
    session = seated(table_10).session
    bill = two_coronas()
    checks.apply_snapshot(session.pk, 4, bill)

    check = live.open_check_at(table_10.location_id, table_10.pos_table_id)

    stored = TableCheck.objects.select_related("session__table__location").get(session=session)
    same_fields(check, stored)
    same_fields(check.session, stored.session)
    same_fields(check.session.table, stored.session.table)
    same_fields(check.session.table.location, stored.session.table.location)
    assert checks.state_of(check) == bill
    assert live.open_check_at(table_10.location_id, "no such table") is None


def test_a_closed_session_has_no_open_check(table_10):
    session = seated(table_10).session
    checks.check_of(session)
    session.close()
    assert live.open_check_at(table_10.location_id, table_10.pos_table_id) is None


def test_a_page_finds_the_session_and_only_this_phones_diner(table_10):
    first, second = seated(table_10), seated(table_10)
    session = first.session
    phone = first.phone_id

    found, diner = session_and_diner(session.public_id, phone)

    same_fields(found, TableSession.objects.get(pk=session.pk))
    same_fields(found.table, table_10)
    same_fields(found.table.location, table_10.location)
    same_fields(diner, Diner.objects.get(pk=first.diner.pk))
    assert diner.pk != second.diner.pk
    assert session_and_diner(session.public_id, "a phone that never scanned") == (found, None)
    assert session_and_diner(session.public_id, None)[1] is None
    assert session_and_diner(uuid.uuid4(), phone) == (None, None)


def test_a_push_knows_every_diner_and_who_sent_which_batch(table_10):
    first, second = seated(table_10), seated(table_10)
    first.add("Garlic Bread")
    first.send()
    second.add("Coca-Cola")
    second.send()

    diners, owners, waiting = live.people_at(first.session)

    assert [d.pk for d in diners] == [first.diner.pk, second.diner.pk]
    expected = {str(b.pk): b.diner_id for d in diners for b in d.batches.all()}
    assert owners == expected
    assert sorted(owners.values()) == [first.diner.pk, second.diner.pk]
    # No bridge runs here: both batches are still waiting for the POS, so both are sending.
    assert waiting == set(owners)
    sending = live.sending_lines(first.session, None, waiting)
    assert sorted(line.name for line in sending) == ["Coca-Cola", "Garlic Bread"]


def check_update(diner: Diner, bill: CheckState, support: str = CheckSupport.LIVE) -> dict:
    """A check.update message as live._broadcast sends it: version 5 of `bill`."""
    return {
        "id": uuid.uuid4().hex,
        "check": {"version": 5, "support": support, "problem": ""},
        "state": bill.to_json(),
        "owners": {},
        "names": {},
        "sending": [],
        "diner_ids": [diner.pk],
        "till_reachable": True,
        "session_open": True,
        "notices": {},
    }


def test_a_sessions_check_is_not_kept_on_the_session(table_10):
    """A diner's socket keeps its session while it is open: the check read for its first
    render and each push's check know the session, and the session does not keep them
    (the check's whole state was 10 kB a connected phone)."""
    phone = seated(table_10)
    session, diner = session_and_diner(phone.session.public_id, phone.phone_id)
    bill = two_coronas()
    checks.apply_snapshot(session.pk, 4, bill)

    check = checks.check_of(session)
    assert check.session is session and checks.state_of(check) == bill
    live.render_live(session, diner)
    pushed = check_update(diner, bill, check.support)
    assert "Corona" in live.render_for(session, diner, pushed)["check"]

    assert not TableSession.live_check.related.is_cached(session)


def test_a_pushs_reads_find_the_session_check_diners_and_owners(table_10):
    first, second, third = seated(table_10), seated(table_10), seated(table_10)
    first.add("Garlic Bread")
    first.send()
    first.add("Coca-Cola")
    first.send()
    second.add("Coca-Cola")
    second.send()
    Batch.objects.filter(diner=second.diner).update(state=BatchState.ACCEPTED)
    session = first.session
    checks.apply_snapshot(session.pk, 4, None)

    seated_now = live.seated_at(table_10.location_id, table_10.pos_table_id)

    stored = TableCheck.objects.get(session=session)
    assert seated_now.check.pk == stored.pk
    for name in ("version", "connection", "state", "support", "problem"):
        assert getattr(seated_now.check, name) == getattr(stored, name), name
    assert seated_now.session.pk == session.pk
    assert seated_now.session.public_id == session.public_id and seated_now.session.is_open
    assert seated_now.session.table.location.currency == table_10.location.currency
    diners, owners, waiting = live.people_at(session)
    assert [d.pk for d in seated_now.diners] == [d.pk for d in diners]
    assert [d.pk for d in diners] == [first.diner.pk, second.diner.pk, third.diner.pk]
    assert (seated_now.owners, seated_now.waiting) == (owners, waiting)
    assert len(owners) == 3 and len(waiting) == 2
    assert live.seated_at(table_10.location_id, "no such table") is None


def test_a_session_without_a_check_or_without_diners_is_still_found(table_10):
    session = seated(table_10).session
    TableCheck.objects.filter(session=session).delete()  # the scan made one
    found = live.seated_at(table_10.location_id, table_10.pos_table_id)
    assert found.check is None and found.session.pk == session.pk

    session.close()
    empty = table_10.open_session()
    found = live.seated_at(table_10.location_id, table_10.pos_table_id)
    assert (found.session.pk, found.check, found.diners, found.owners) == (empty.pk, None, [], {})


def test_a_push_is_three_queries_when_no_batch_waits(table_10):
    first = seated(table_10)
    session = first.session
    seated(table_10)
    for _ in range(3):  # a meal under way: each batch is a row of the diners' read
        first.add("Garlic Bread")
        first.send()
    Batch.objects.filter(session=session).update(state=BatchState.ACCEPTED)
    bill = CheckState(
        currency="GBP",
        lines=[CheckLine(line_id="L1", name="Corona", quantity=2, total=Decimal("9.90"))],
    )
    checks.apply_snapshot(session.pk, 4, bill)
    till.reachable(table_10.location_id)  # read once a second, not per push

    with CaptureQueriesContext(connection) as queries:
        assert live.change_arrived(
            table_10.location_id, table_10.pos_table_id, 5, "DISCOUNT_APPLIED", [], bill
        )

    # The session with its check; the diners with their batches; the check's compare-and-set.
    assert [q["sql"].split()[0] for q in queries] == ["SELECT", "SELECT", "UPDATE"], (
        queries.captured_queries
    )
    # The check's whole state comes once, not again with every diner's every batch.
    assert "ordering_tablecheck" not in queries.captured_queries[1]["sql"]


def test_a_push_to_a_phone_away_from_the_bill_renders_its_header_not_the_bill(table_10):
    """The menu and basket pages show a push's header total, banner and note, not the
    bill: their sockets render only that (the bill's lines are most of a push's render)."""
    from django.test.signals import template_rendered

    phone = seated(table_10)
    session, diner = session_and_diner(phone.session.public_id, phone.phone_id)
    bill = two_coronas()
    pushed = check_update(diner, bill)
    rendered: list[str] = []

    def seen(sender, template, **kwargs) -> None:
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        away = live.render_for(session, diner, pushed, with_check=False)
        assert "ordering/_check.html" not in rendered
        on_the_bill = live.render_for(session, diner, pushed)
    finally:
        template_rendered.disconnect(seen)
    assert away["check"] == "" and "Corona" in on_the_bill["check"]
    assert away["page"] == on_the_bill["page"]
    assert "£" in away["page"] and 'id="bill-link"' in away["page"]


def test_the_basket_after_a_send_is_three_reads(table_10):
    """The phone's diner with its header, the basket's lines, and its recent batches with
    their lines: the sent lines' choices are not read (a batch shows its own copy), nor the
    batches' rows beyond what the basket shows."""
    phone = seated(table_10)
    phone.add("Corona", variant="PINT", quantity=2)
    phone.add("Classic Beef Burger", choices=["Medium", "Brioche Bun"])
    assert phone.send().status_code in (200, 302)
    with CaptureQueriesContext(connection) as queries:
        basket = phone.get("basket/").content.decode()
    assert "On its way" in basket  # no till here: queued
    assert "2 × Corona (PINT)" in basket and "1 × Classic Beef Burger" in basket
    # The till's status is read at most once a second per process, not counted here.
    reads = [q["sql"] for q in queries if "ordering_tillstatus" not in q["sql"]]
    assert len(reads) == 3, [sql[:90] for sql in reads]


def test_the_sends_answer_is_read_after_the_batch_is_written(table_10, monkeypatch):
    """Its read time comes after the transaction that wrote the batch. A basket read while
    that transaction was still open saw the lines unsent; stamped later than the answer, it
    would replace it, and the phone would show the sent lines back in its basket."""
    from ordering import batches

    written: list[int] = []
    wake = batches.announce_till_work  # called once the batch's transaction is over

    def mark(*args, **kwargs):
        written.append(time.time_ns() // 1000)
        return wake(*args, **kwargs)

    monkeypatch.setattr(batches, "announce_till_work", mark)
    phone = seated(table_10)
    phone.add("Corona", variant="PINT", quantity=2)
    answer = phone.post("basket/send", HTTP_HX_REQUEST="true").content.decode()
    assert "2 × Corona (PINT)" in answer and "Your basket is empty" in answer
    read_at = int(re.search(r'data-read-at="(\d+)"', answer).group(1))
    assert written and read_at > written[0]

"""The reads made on every push and page are written as SQL (openapp_site.rows): they must
give what the ORM gives, field for field, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from ordering import checks, live
from ordering.checks import CheckLine, CheckState
from ordering.models import TableCheck
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


def test_a_push_reads_the_open_check_with_its_session_table_and_location(table_10):
    session = seated(table_10).session
    bill = CheckState(
        currency="GBP",
        lines=[CheckLine(line_id="L1", name="Corona", quantity=2, total=Decimal("9.90"))],
        amount=Decimal("9.90"),
        amount_owing=Decimal("9.90"),
    )
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


def test_a_sessions_check_is_not_kept_on_the_session(table_10):
    """A diner's socket keeps its session while it is open: the check read for its first
    render and each push's check know the session, and the session does not keep them
    (the check's whole state was 10 kB a connected phone)."""
    phone = seated(table_10)
    session, diner = session_and_diner(phone.session.public_id, phone.phone_id)
    bill = CheckState(
        currency="GBP",
        lines=[CheckLine(line_id="L1", name="Corona", quantity=2, total=Decimal("9.90"))],
        amount=Decimal("9.90"),
        amount_owing=Decimal("9.90"),
    )
    checks.apply_snapshot(session.pk, 4, bill)

    check = checks.check_of(session)
    assert check.session is session and checks.state_of(check) == bill
    live.render_live(session, diner)
    pushed = {
        "id": uuid.uuid4().hex,
        "check": {"version": 5, "support": check.support, "problem": ""},
        "state": bill.to_json(),
        "owners": {},
        "names": {},
        "sending": [],
        "diner_ids": [diner.pk],
        "till_reachable": True,
        "session_open": True,
        "notices": {},
    }
    assert "Corona" in live.render_for(session, diner, pushed)["check"]

    assert not TableSession.live_check.related.is_cached(session)

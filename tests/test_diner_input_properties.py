"""Whatever a hostile phone posts to any diner form, or sends down the diner WebSocket:
never a server error, and never a change to another table's data (hypothesis)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordering.models import BasketLine, Batch, Product
from tables.models import Diner, Table
from tests.live_table import LivePhone
from tests.phones import Phone

pytestmark = pytest.mark.django_db

# What a form field might be given: text of any kind, numbers of any size, empty.
VALUES = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.just(""),
)
FIELDS = st.dictionaries(
    st.sampled_from(["quantity", "variant", "instruction", "note", "price", "group_1", "x"]),
    VALUES,
    max_size=6,
)
PATHS = st.sampled_from(
    [
        "products/{product}/",
        "basket/{line}/quantity",
        "basket/{line}/remove",
        "basket/note",
        "basket/send",
        "bill/refresh",
    ]
)
RELAXED = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def other_tables_data(table: Table) -> tuple:
    """Everything of the neighbouring table a hostile phone must never change."""
    diners = Diner.objects.filter(session__table=table)
    return (
        sorted(BasketLine.objects.filter(diner__in=diners).values_list("pk", "quantity", "batch")),
        sorted(Batch.objects.filter(session__table=table).values_list("pk", "state")),
        sorted(diners.values_list("pk", "order_note")),
    )


@pytest.fixture
def two_tables(table_10):
    neighbour = Phone()
    neighbour.scan(table_10.location.tables.get(pos_table_id="11"))
    neighbour.add("Garlic Bread", quantity=2)
    hostile = Phone()
    hostile.scan(table_10)
    hostile.add("Corona", variant="PINT", quantity=1)
    return hostile, neighbour


@RELAXED
@given(path=PATHS, fields=FIELDS, htmx=st.booleans())
def test_no_form_post_gives_a_server_error_or_reaches_another_table(two_tables, path, fields, htmx):
    hostile, neighbour = two_tables
    before = other_tables_data(neighbour.session.table)
    product = Product.objects.filter(location=hostile.session.table.location).first()
    line = BasketLine.objects.filter(diner=hostile.diner).first()
    their_line = BasketLine.objects.filter(diner=neighbour.diner).first()
    # Half the time aim at the neighbour's basket line, as a tampered form would.
    target = their_line if "x" in fields else line
    url = path.format(product=product.pk, line=target.pk if target else 0)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = hostile.post(url, fields, **extra)
    assert response.status_code < 500, (url, fields, response.status_code)
    assert other_tables_data(neighbour.session.table) == before


FRAMES = st.one_of(
    st.text(min_size=1, max_size=500),
    st.binary(min_size=1, max_size=200),
    st.builds(
        json.dumps,
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=10), inner, max_size=4)
            ),
            max_leaves=20,
        ),
    ),
)


@settings(RELAXED, max_examples=20)
@given(frames=st.lists(FRAMES, min_size=1, max_size=5))
def test_whatever_a_phone_sends_down_its_socket_changes_nothing_and_keeps_it_open(
    transactional_db, table_10, frames
):
    async def scenario() -> None:
        phone = LivePhone()
        await phone.scan(table_10)
        assert await phone.connect()
        await phone.next_push()  # the state sent on connect
        for frame in frames:
            if isinstance(frame, bytes):
                await phone.socket.send_to(bytes_data=frame)
            else:
                await phone.socket.send_to(text_data=frame)
        assert await phone.nothing_more(), "the socket answered what a phone sent"
        await phone.hang_up()

    before = (BasketLine.objects.count(), Batch.objects.count())
    async_to_sync(scenario)()
    assert (BasketLine.objects.count(), Batch.objects.count()) == before

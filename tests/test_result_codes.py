"""Every ResultCode on the protocol page (§4) reaches the diner in plain words and the
manager as a clear record, from a POS written in the test that answers only with codes."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ordering.models import Batch, BatchState
from tables.models import Table
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone
from tests.restaurant import make_restaurant
from tests.scripted_pos import scripted_pos

pytestmark = pytest.mark.django_db(transaction=True)

ASK_STAFF = "The kitchen's system could not take this order — please ask a member of staff"
# ResultCode: what the diner reads, and what the manager reads of the POS's answer.
EXPECTED = {
    1: (ASK_STAFF, "ResultCode 1: pos error"),
    2: (ASK_STAFF, "ResultCode 2: invalid request"),
    3: (
        "The till doesn't recognise this table — please ask a member of staff",
        "ResultCode 3: table not found",
    ),
    4: (
        "Your table's bill is already closed, so nothing was sent",
        "ResultCode 4: order closed",
    ),
    5: (
        "Some items are sold out — change your order and send again",
        "ResultCode 5: out of stock",
    ),
    6: (
        "Some items are running out — change your order and send again",
        "ResultCode 6: insufficient stock",
    ),
    7: (
        "Some items are no longer available — change your order and send again",
        "ResultCode 7: delisted item",
    ),
    8: (
        "Some prices have changed — check your order and send again",
        "ResultCode 8: price changed",
    ),
    9: (ASK_STAFF, "ResultCode 9: pos does not support this message"),
    10: (ASK_STAFF, "ResultCode 10: pos refused openapp's credentials"),
    42: (ASK_STAFF, "ResultCode 42: pos error"),  # a code the page does not know
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_result_code_is_told_to_the_diner_and_recorded_for_the_manager(code):
    def refuse_orders(request: dict) -> tuple[int, object]:
        if request["MessageType"] == 30:
            return 0, {"ServiceModeEntityID": "3", "Version": 1, "Order": None}
        return code, None

    diner_words, manager_words = EXPECTED[code]
    with scripted_pos(refuse_orders) as pos:
        restaurant = make_restaurant(pos.url)
        phone = Phone()
        with running_bridge():
            phone.scan(Table.objects.get(location=restaurant, pos_table_id="3"))
            phone.add("Garlic Bread")
            phone.send()
            batch = wait_until(
                lambda: Batch.objects.filter(state=BatchState.REJECTED).first(),
                what="the POS's refusal recorded",
            )
    assert batch.result_code == code
    assert diner_words in html.unescape(phone.basket_text())
    # Nothing is lost: the line is back in the basket to fix and send again.
    assert phone.diner.basket_lines.filter(batch__isnull=True).count() == 1

    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="x"))
    page = admin.get(f"/admin/ordering/batch/{batch.pk}/change/").content.decode()
    assert html.escape(f"{manager_words} — the POS said: scripted refusal") in page

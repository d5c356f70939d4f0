"""What a diner's basket shows for each state of a sent order (a batch): queued, sent,
accepted, rejected and failed, each brought about by the POS the demo runs against."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.diner_pages import (
    CORONA_PLU,
    POS_TIMEOUT_MS,
    add_to_basket,
    basket_line,
    choose,
    open_basket,
    open_product,
    scan_table,
    send_to_kitchen,
)
from tests.live_demo import live_demo

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

ANSWER_DELAY_SECONDS = 4
QUEUED = "Queued — it will be sent as soon as the kitchen is reachable"
SENDING = "Sending to the kitchen…"
ACCEPTED = "✓ Sent to the kitchen"
REJECTED = "The kitchen couldn't take this order"
UNCONFIRMED = "Not confirmed by the kitchen"


def batch_state(page: Page, state: str) -> Locator:
    return page.get_by_role("heading", name=state, level=2, exact=True)


def batch_in(page: Page, state: str) -> Locator:
    """A batch's section on the basket page, by the state its head shows."""
    return page.locator(".batch").filter(has=page.locator(f'.batch-head[data-state="{state}"]'))


def send_garlic_bread(page: Page) -> None:
    open_product(page, "Garlic Bread")
    add_to_basket(page, "Garlic Bread", 2)
    open_basket(page)
    send_to_kitchen(page)


def test_an_order_sent_while_the_pos_is_unreachable_is_shown_queued(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    with live_demo(tmp_path, pos_reachable=False) as demo:
        page = scan_table(new_phone, demo, 10)

        send_garlic_bread(page)

        expect(batch_state(page, QUEUED)).to_be_visible()
        expect(page.get_by_role("list", name="On its way")).to_contain_text("2 × Garlic Bread")
        # Listed once: under its batch, not again as "sending".
        expect(page.get_by_text("2 × Garlic Bread")).to_have_count(1)
        expect(page.get_by_role("button", name="Send to kitchen")).to_have_count(0)


def test_the_outcome_is_pushed_and_the_basket_is_never_asked_for_again(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    delay = ["--simulator-answer-delay", "2"]
    with live_demo(tmp_path, extra_args=delay) as demo:
        page = scan_table(new_phone, demo, 10)
        open_product(page, "Garlic Bread")
        add_to_basket(page, "Garlic Bread", 2)
        open_basket(page)
        asked: list[str] = []
        page.on(
            "request",
            lambda request: asked.append(request.url) if "/basket/" in request.url else None,
        )

        send_to_kitchen(page)

        expect(batch_state(page, SENDING)).to_be_visible()
        expect(batch_state(page, ACCEPTED)).to_be_visible(timeout=POS_TIMEOUT_MS)
        page.wait_for_timeout(1500)  # what a poll would have asked in the meantime
        assert [url for url in asked if not url.endswith("/basket/send")] == []
        assert len(asked) == 1


def test_a_slow_pos_shows_the_order_sending_and_then_accepted(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    delay = ["--simulator-answer-delay", str(ANSWER_DELAY_SECONDS)]
    with live_demo(tmp_path, extra_args=delay) as demo:
        page = scan_table(new_phone, demo, 10)

        send_garlic_bread(page)

        expect(batch_state(page, SENDING)).to_be_visible()
        expect(page.get_by_role("list", name="On its way")).to_contain_text("2 × Garlic Bread")
        expect(batch_state(page, ACCEPTED)).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(batch_state(page, SENDING)).to_have_count(0)
        expect(batch_in(page, "accepted")).to_contain_text("2 × Garlic Bread")
        expect(page.get_by_text("Your basket is empty")).to_be_visible()


def test_an_acceptance_that_overtakes_the_sends_answer_still_shows(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    """The POS's yes comes as the batch's head alone; when it reaches the phone before the
    Send's answer (which lists the batch as sending), the answer must not undo it."""
    delay = ["--simulator-answer-delay", "1"]
    with live_demo(tmp_path, extra_args=delay) as demo:
        page = scan_table(new_phone, demo, 10)
        yes_heard: list[str] = []
        page.on(
            "websocket",
            lambda socket: socket.on(
                "framereceived",
                lambda frame: yes_heard.append(frame) if 'data-state="accepted"' in frame else None,
            ),
        )
        open_product(page, "Garlic Bread")
        add_to_basket(page, "Garlic Bread", 2)
        open_basket(page)
        held: list[str] = []

        def hold_the_answer(route: Route) -> None:
            answer = route.fetch()  # read before the POS answered: it says "Sending"
            held.append(answer.text())
            waited = 0
            while not yes_heard and waited < POS_TIMEOUT_MS:
                page.wait_for_timeout(50)
                waited += 50
            route.fulfill(response=answer)

        page.route("**/basket/send", hold_the_answer)
        send_to_kitchen(page)

        expect(page.get_by_text("Your basket is empty")).to_be_visible(timeout=POS_TIMEOUT_MS)
        assert SENDING in held[0] and yes_heard
        expect(batch_in(page, "accepted")).to_contain_text("2 × Garlic Bread")
        expect(batch_state(page, ACCEPTED)).to_be_visible()
        expect(batch_state(page, SENDING)).to_have_count(0)


def test_an_order_the_pos_turns_down_is_shown_rejected_with_its_reason(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    with live_demo(tmp_path, stock={CORONA_PLU: 1}) as demo:
        page = scan_table(new_phone, demo, 10)
        open_product(page, "Corona")
        choose(page, "PINT")
        add_to_basket(page, "Corona", 2)
        open_basket(page)

        send_to_kitchen(page)

        expect(batch_state(page, REJECTED)).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(basket_line(page, "Corona")).to_contain_text("Only 1 left")
        expect(page.get_by_role("button", name="Send to kitchen")).to_be_visible()


def test_an_order_the_pos_never_answers_is_resent_then_left_for_staff_to_confirm(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    quick_give_up = {
        "POS_REQUEST_TIMEOUT_SECONDS": "1",
        "POS_BATCH_EXPIRY_SECONDS": "4",
        "POS_OUTBOX_POLL_SECONDS": "0.2",
    }
    with live_demo(tmp_path, extra_args=["--simulator-ignore-orders"], env=quick_give_up) as demo:
        page = scan_table(new_phone, demo, 10)

        send_garlic_bread(page)

        expect(
            batch_state(page, "Waiting for the kitchen to confirm — we keep trying")
        ).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(batch_state(page, UNCONFIRMED)).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(batch_in(page, "unconfirmed").locator(".batch-problem")).to_have_text(
            "The kitchen never confirmed this order — please ask a member of staff "
            "whether it arrived before you order it again"
        )
        # Not offered back: sending it again could cook it twice.
        expect(page.locator(".basket-line")).to_have_count(0)

"""The protocol's typed messages and the one codec: the seed's examples survive unchanged."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pos_bridge import codec, protocol

SEED_EXAMPLES = sorted((Path(__file__).parent / "seed_examples").glob("*.json"))


def parsed(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


@pytest.mark.parametrize("example", SEED_EXAMPLES, ids=lambda p: p.stem)
def test_every_seed_example_round_trips_unchanged(example: Path):
    text = example.read_text()
    assert parsed(codec.encode(codec.decode(text))) == parsed(text)


@pytest.mark.parametrize("example", SEED_EXAMPLES, ids=lambda p: p.stem)
def test_money_keeps_its_digits_through_the_codec(example: Path):
    text = example.read_text()
    again = codec.encode(codec.decode(text))
    amounts = re.findall(r'"(?:Price|TotalAmount|Amount\w*|\w+Amount)": (-?\d+(?:\.\d+)?)', text)
    for amount in amounts:
        assert f":{amount}" in again, amount
    if "Price" in text:
        assert amounts, "the example's amounts were found"


def test_the_seed_request_becomes_typed_objects():
    message = codec.decode(
        (Path(__file__).parent / "seed_examples/create_order_request.json").read_text()
    )
    assert isinstance(message, protocol.Request)
    assert message.message_type == protocol.MessageType.CREATE_ORDER
    order = message.payload
    assert isinstance(order, protocol.CreateOrderRequest)
    corona, steak = order.products
    assert (corona.plu_identifier, corona.sales_modifier_name, corona.quantity) == (
        "401",
        "PINT",
        2,
    )
    assert isinstance(corona.price, Decimal)
    instruction = steak.child_products[-1]
    assert instruction.product_type == protocol.ProductType.INSTRUCTION
    assert (instruction.name, instruction.quantity) == ("sauce on side", 0)


def test_the_seed_answer_becomes_a_typed_order_with_decimal_money():
    message = codec.decode(
        (Path(__file__).parent / "seed_examples/create_order_response.json").read_text()
    )
    assert isinstance(message, protocol.Response)
    order = message.payload.order
    assert order.amount == Decimal("40.45") and order.amount_owing == Decimal("47.19")
    assert order.adjustments[0].amount == Decimal("-4.50")
    assert order.taxes[0].tax_rate == Decimal("10.000")


def test_fields_the_codec_does_not_know_are_kept_and_sent_on():
    text = (
        '{"EventID": "e1", "MessageType": 31, "Vendor": {"x": 1}, "Payload": '
        '{"ServiceModeEntityID": "10", "Version": 3, "ChangeType": "ITEMS_ADDED", '
        '"LineIDs": [], "Order": null, "Extra": true}}'
    )
    assert parsed(codec.encode(codec.decode(text))) == parsed(text)


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "not json",
        "[1, 2]",
        '{"MessageType": 11}',
        '{"RequestID": "r", "ResultCode": "zero", "MessageType": 11}',
        '{"RequestID": "r", "MessageType": 11, "Payload": {"Products": "lots"}}',
        '{"EventID": "e", "MessageType": 31, "Payload": {"Version": "seven"}}',
        '{"RequestID": "r", "MessageType": 11, "Payload": {"Products": [{"Price": NaN}]}}',
        '{"RequestID": "r", "MessageType": 11, "Payload": {"Products": [{"Price": 1E+30}]}}',
        '{"RequestID": "r", "MessageType": 11, "Payload": {"Products": [{"Quantity": true}]}}',
        "x" * (codec.MAX_FRAME_BYTES + 1),
    ],
)
def test_a_malformed_frame_is_a_protocol_error_never_a_crash(frame: str):
    with pytest.raises(codec.ProtocolError):
        codec.decode(frame)


def test_a_rejected_answer_with_an_odd_payload_is_still_read():
    message = codec.decode(
        '{"RequestID": "r", "ResultCode": 3, "ErrorMessage": "no", '
        '"MessageType": 30, "Payload": "?"}'
    )
    assert message.result_code == protocol.ResultCode.TABLE_NOT_FOUND
    assert message.payload == "?"

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


def test_fields_the_codec_does_not_know_are_kept_at_every_depth_of_an_order():
    text = """{"EventID": "e2", "MessageType": 31, "Payload": {
      "ServiceModeEntityID": "10", "Version": 4, "ChangeType": "DISCOUNT_APPLIED",
      "LineIDs": ["L2"],
      "Order": {"SalesTransactionID": "s1", "ServiceModeEntityID": "10", "CurrencyCode": "GBP",
        "Amount": 26.95, "AmountOwing": 26.95, "IsClosed": false, "Till": 3,
        "Products": [{"LineID": "L2", "Name": "T-Bone Steak", "Quantity": 1, "Price": 29.95,
          "TotalAmount": 29.95, "Course": "MAIN",
          "Adjustment": {"Name": "Regular", "Amount": -3.00, "ApprovedBy": "Sam"},
          "ChildProducts": [{"Name": "Side Salad", "Quantity": 1, "Price": 1.00,
            "TotalAmount": 1.00, "Colour": "green",
            "Adjustment": {"Name": "Free side", "Amount": -1.00, "Why": "loyalty"}}]}],
        "Taxes": [{"Name": "VAT", "TaxRate": 20.0, "Amount": 4.49, "Region": "UK"}],
        "Notes": [{"Text": "window seat", "By": "host"}]}}}"""

    message = codec.decode(text)
    again = parsed(codec.encode(message))

    steak = message.payload.order.products[0]
    assert dict(steak.extra) == {"Course": "MAIN"}
    assert dict(steak.child_products[0].adjustment.extra) == {"Why": "loyalty"}
    order = again["Payload"]["Order"]
    (steak,) = order["Products"]
    (side,) = steak["ChildProducts"]
    assert (order["Till"], steak["Course"], steak["Adjustment"]["ApprovedBy"]) == (3, "MAIN", "Sam")
    assert (side["Colour"], side["Adjustment"]["Why"]) == ("green", "loyalty")
    assert (order["Taxes"][0]["Region"], order["Notes"][0]["By"]) == ("UK", "host")


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


def error_of(frame: str) -> str:
    with pytest.raises(codec.ProtocolError) as raised:
        codec.decode(frame)
    return str(raised.value)


SEED_ANSWER = (Path(__file__).parent / "seed_examples/create_order_response.json").read_text()


def test_a_wrong_type_deep_in_an_order_is_named_by_its_path():
    steak_side = '"Name": "Medium",\n"SalesModifierName": null,\n"Quantity": 1,'
    assert steak_side in SEED_ANSWER
    frame = SEED_ANSWER.replace(steak_side, steak_side.replace('"Quantity": 1', '"Quantity": "1"'))
    assert error_of(frame) == (
        "Expected `int`, got `str` - at `$.Payload.Order.Products[1].ChildProducts[0].Quantity`"
    )


def test_a_missing_required_field_is_named():
    assert error_of('{"RequestID": "r", "Payload": {}}') == (
        "Object missing required field `MessageType`"
    )
    assert error_of('{"RequestID": null, "MessageType": 30}') == (
        "Expected `str`, got `null` - at `$.RequestID`"
    )
    # A failed answer is lenient about its payload, never about its envelope.
    assert error_of('{"RequestID": "r", "ResultCode": 3, "Payload": "?"}') == (
        "Object missing required field `MessageType`"
    )


def test_money_is_a_json_number_below_a_trillion_named_by_its_path():
    def request(price: str) -> str:
        return (
            '{"RequestID": "r", "MessageType": 11, "Payload": {"Products": '
            f'[{{"Name": "Corona"}}, {{"Price": {price}}}]}}}}'
        )

    largest = codec.decode(request("999999999999.99")).payload.products[1].price
    assert largest == Decimal("999999999999.99")
    assert error_of(request("1E+12")) == (
        "Expected a number below 1,000,000,000,000 in size, got 1E+12"
        " - at `$.Payload.Products[1].Price`"
    )
    assert error_of(request("-1000000000000")).endswith("- at `$.Payload.Products[1].Price`")
    assert error_of(request("1e999999999")).endswith("- at `$.Payload.Products[1].Price`")
    assert error_of(request('"7.00"')) == (
        "Expected `number`, got `str` - at `$.Payload.Products[1].Price`"
    )


def test_money_is_read_and_written_digit_for_digit_never_through_float():
    message = codec.decode(SEED_ANSWER)
    amount = message.payload.order.amount
    assert amount == Decimal("40.45") and isinstance(amount, Decimal)
    assert message.payload.order.products[0].price.as_tuple() == Decimal("7.00").as_tuple()
    again = codec.encode(message)
    assert '"Amount":40.45,' in again and '"Price":7.00,' in again and '"TaxRate":10.000' in again
    with pytest.raises(ValueError):
        codec.encode(
            protocol.Push(
                event_id="e", message_type=31, payload=protocol.Tax(amount=Decimal("NaN"))
            )
        )


@pytest.mark.parametrize("example", SEED_EXAMPLES, ids=lambda p: p.stem)
def test_every_key_of_the_seed_is_a_field_with_the_seeds_spelling(example: Path):
    """A field misspelt on the wire (PLUIdentifier, OwnedBy_UserID, ...) would land in extra."""

    def extras(value: object) -> list[object]:
        if isinstance(value, list):
            return [e for item in value for e in extras(item)]
        if isinstance(value, protocol.Wire):
            found = [dict(value.extra)] if value.extra else []
            return found + [
                e for name in value.__struct_fields__ for e in extras(getattr(value, name))
            ]
        return []

    assert extras(codec.decode(example.read_text())) == []


def test_a_frame_without_a_payload_is_sent_on_without_one():
    text = '{"RequestID": "r", "ResultCode": 9, "ErrorMessage": "no", "MessageType": 30}'
    assert parsed(codec.encode(codec.decode(text))) == parsed(text)


def test_a_lone_surrogate_escape_is_not_text():
    assert "surrogate" in error_of('{"EventID": "\\ud800", "MessageType": 31}')
    message = codec.decode('{"EventID": "\\ud83d\\ude00", "MessageType": 31}')
    assert message.event_id == "\U0001f600"


def test_a_nul_escape_is_read_as_a_replacement_character_and_an_escaped_backslash_is_not():
    """PostgreSQL can store no U+0000; `\\\\u0000` (a backslash, then text) is no escape."""

    def event_id(json_string: str) -> str:
        return codec.decode('{"EventID": "' + json_string + '", "MessageType": 99}').event_id

    assert event_id("e\\u0000") == "e\ufffd"
    assert event_id("a\\\\u0000b") == "a\\u0000b"
    assert event_id("c\\\\\\u0000d") == "c\\\ufffdd"
    assert event_id("\\u0000\\u0000") == "\ufffd\ufffd"

"""Properties of the wire, checked on generated frames (hypothesis).

Whatever arrives, the codec only ever says ProtocolError; valid messages survive a round
trip with their money digit for digit; the bridge's client and the POS simulator both keep
working after any frame.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect

from pos_bridge import codec, protocol
from pos_bridge.client import PosClient, PosSettings
from pos_bridge.simulator import running_simulator
from tests.restaurant import SEED_SERVICE_MODE_ID

# Every field name the protocol puts on the wire, so generated objects look like messages.
WIRE_NAMES = sorted(
    {
        name
        for cls in vars(protocol).values()
        if isinstance(cls, type) and issubclass(cls, msgspec.Struct)
        for name in cls.__struct_encode_fields__
    }
)
MESSAGE_TYPES = [0, 9, *protocol.MessageType]
SETTINGS = PosSettings(
    connection_id=1,
    location_id=1,
    url="ws://127.0.0.1:9",
    token="",
    provider_id=90210,
    provider_name="OpenApp",
    device_id="openapp-test",
    pos_user_id="",
)

# Any JSON: scalars (with long and escaped text, huge and tiny numbers), lists and objects
# whose keys are often the protocol's own.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    # A lone surrogate, which json.dumps writes as the escape \ud800: valid JSON, not text.
    | st.sampled_from(["", "\ud800", "x\udfff", "ORDERED", "ITEMS_ADDED", "1", "10"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(WIRE_NAMES) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=25,
)
# Envelope-shaped objects reach past the first checks into the payload decoding.
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "RequestID": st.text(max_size=8) | json_values,
        "EventID": st.text(max_size=8) | json_values,
        "ResultCode": st.sampled_from([0, 1, 6, 9]) | json_values,
        "MessageType": st.sampled_from(MESSAGE_TYPES) | json_values,
        "Payload": json_values,
    },
)
# Requests with odd RequestIDs: the POS answers them, echoing the RequestID.
odd_requests = st.builds(
    lambda request_id, message_type, payload: {
        "RequestID": request_id,
        "MessageType": message_type,
        "Payload": payload,
    },
    st.sampled_from(["\ud800", "x\udfff", "", "r" * 100]) | json_scalars,
    st.sampled_from(MESSAGE_TYPES),
    json_values,
)
json_frames = (json_values | envelopes | odd_requests).map(json.dumps)
number_texts = st.sampled_from(
    ["1e999999999", "-1E-999999999", "1" * 5000, "0.1e1", "-0", "1.000000000000000000000001"]
)
odd_frames = st.one_of(
    number_texts.map(lambda n: f'{{"RequestID":"r","MessageType":11,"Payload":{{"Price":{n}}}}}'),
    number_texts.map(lambda n: f'{{"EventID":"e","MessageType":31,"Payload":{{"Version":{n}}}}}'),
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
    st.sampled_from(["NaN", "Infinity", '{"a": -Infinity}', "{", "", "\ud800", '"\\ud800"']),
)
frames = st.text() | st.binary() | json_frames | odd_frames


def sendable(frame: str | bytes) -> bool:
    """A WebSocket text frame is UTF-8: a str with a lone surrogate cannot be sent at all."""
    if isinstance(frame, str):
        try:
            frame.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


sendable_frames = frames.filter(sendable)
garbage_for_the_pos = odd_requests.map(json.dumps) | sendable_frames


@given(frames)
@settings(max_examples=400, deadline=None)
def test_decoding_any_frame_either_gives_a_message_or_raises_only_a_protocol_error(frame):
    try:
        message = codec.decode(frame)
    except codec.ProtocolError:
        return
    assert isinstance(message, protocol.Request | protocol.Response | protocol.Push)


# Valid messages, built field by field. Any text but U+0000, which the bridge reads as U+FFFD
# (its database stores none: docs/pos-protocol.md §1; the next test).
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)


@given(st.text(st.sampled_from('\x00\\u0"') | st.characters(codec="utf-8"), max_size=40))
@settings(max_examples=150, deadline=None)
def test_text_comes_off_the_wire_as_sent_but_a_nul_which_reads_as_a_replacement_character(
    text,
):
    frame = json.dumps({"EventID": text, "MessageType": 99})  # "\u0000", "\\", "\u00e9"
    assert codec.decode(frame).event_id == text.replace("\x00", "\ufffd")


identifiers = st.uuids().map(str)
money = st.decimals(
    min_value=Decimal("-100000"),
    max_value=Decimal("100000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
quantities = st.integers(min_value=0, max_value=999)
adjustments = st.builds(
    protocol.Adjustment,
    provider_adjustment_id=st.none() | identifiers,
    adjustment_id=st.none() | identifiers,
    amount=st.none() | money,
    name=st.none() | texts,
)
children = st.builds(
    protocol.Product,
    provider_product_id=st.none() | identifiers,
    product_type=st.sampled_from(protocol.ProductType),
    plu_identifier=st.none() | texts,
    name=texts,
    quantity=quantities,
    price=money,
    total_amount=money,
)
products = st.builds(
    protocol.Product,
    provider_product_id=st.none() | identifiers,
    product_type=st.just(protocol.ProductType.PRODUCT),
    plu_identifier=texts,
    sales_modifier_identifier=st.none() | texts,
    name=st.none() | texts,
    sales_modifier_name=st.none() | texts,
    quantity=quantities,
    price=money,
    total_amount=money,
    child_products=st.lists(children, max_size=3),
    adjustment=st.none() | adjustments,
)
notes = st.builds(protocol.Note, provider_note_id=identifiers, message=texts)
create_orders = st.builds(
    protocol.CreateOrderRequest,
    provider_order_id=identifiers,
    service_mode_id=identifiers,
    service_mode_entity_id=st.integers(1, 99).map(str),
    is_training=st.booleans(),
    service_charge_amount=st.none() | money,
    use_provider_prices=st.booleans(),
    products=st.lists(products, min_size=1, max_size=4),
    payments=st.just([]),
    adjustments=st.lists(adjustments, max_size=2),
    notes=st.lists(notes, max_size=2),
)
check_lines = st.builds(
    protocol.Product,
    provider_product_id=st.none(),
    plu_identifier=texts,
    name=texts,
    quantity=quantities,
    price=money,
    total_amount=money,
    child_products=st.lists(children, max_size=2),
    line_id=st.integers(1, 999).map(lambda n: f"L{n}"),
    status=st.sampled_from(protocol.LineStatus),
    source=st.sampled_from(protocol.LineSource),
    provider_order_id=st.none() | identifiers,
)
taxes = st.builds(
    protocol.Tax,
    name=texts,
    amount=money,
    tax_rate=st.decimals(min_value=0, max_value=100, places=3, allow_nan=False),
    is_add_on_tax=st.booleans(),
)
orders = st.builds(
    protocol.Order,
    sales_transaction_id=identifiers,
    service_mode_prefix=st.just("TBL"),
    service_mode_entity_id=st.integers(1, 99).map(str),
    order_number_opened=texts,
    owned_by_user_id=st.none() | identifiers,
    owned_by_user_name=st.none() | texts,
    currency_code=st.sampled_from(["GBP", "EUR", "USD"]),
    amount=money,
    amount_owing=money,
    is_closed=st.booleans(),
    remaining_service_charge_amount=st.none() | money,
    products=st.lists(check_lines, max_size=4),
    payments=st.just([]),
    adjustments=st.lists(adjustments, max_size=2),
    notes=st.lists(notes, max_size=2),
    taxes=st.lists(taxes, max_size=2),
)
snapshot_changes = st.builds(
    protocol.SnapshotChanged,
    service_mode_entity_id=st.integers(1, 99).map(str),
    version=st.integers(0, 2**53),
    change_type=st.sampled_from(protocol.ChangeType),
    line_ids=st.lists(st.integers(1, 999).map(lambda n: f"L{n}"), max_size=4),
    order=st.none() | orders,
)
requests = st.builds(
    protocol.Request,
    request_id=identifiers,
    provider_id=st.integers(0, 2**31),
    provider_name=texts,
    device_id=texts,
    user_identifier=identifiers,
    message_type=st.just(protocol.MessageType.CREATE_ORDER),
    payload=create_orders,
)
pushes = st.builds(
    protocol.Push,
    event_id=identifiers,
    message_type=st.just(protocol.MessageType.TABLE_SNAPSHOT_CHANGED),
    payload=snapshot_changes,
)


def decimal_values(value: object) -> list[object]:
    """Every value of a money field (a Money field) in a protocol object."""
    if isinstance(value, msgspec.Struct):
        found = []
        for field in msgspec.structs.fields(value):
            field_value = getattr(value, field.name)
            if "Money" in str(field.type) and field_value is not None:
                found.append(field_value)
            found += decimal_values(field_value)
        return found
    if isinstance(value, list):
        return [item for element in value for item in decimal_values(element)]
    return []


def decimals_in(value: object) -> list[str]:
    """Every Decimal in a protocol object, written out, in order."""
    if isinstance(value, Decimal):
        return [str(value)]
    if isinstance(value, msgspec.Struct):
        return [
            text for name in value.__struct_fields__ for text in decimals_in(getattr(value, name))
        ]
    if isinstance(value, list):
        return [text for item in value for text in decimals_in(item)]
    return []


@given(requests | pushes)
@settings(max_examples=150, deadline=None)
def test_a_valid_message_survives_the_wire_unchanged_and_its_money_stays_decimal_to_the_digit(
    message,
):
    decoded = codec.decode(codec.encode(message))
    assert decoded == message
    assert decimals_in(decoded) == decimals_in(message)
    # Decimal to the digit, never float (a Money read off the wire is a Decimal subclass).
    assert all(type(d) in (Decimal, protocol.Money) for d in decimal_values(decoded))


def response_to(request_id: str) -> str:
    return codec.encode(
        protocol.Response(
            request_id=request_id,
            result_code=protocol.ResultCode.SUCCESS,
            error_message=None,
            message_type=protocol.MessageType.TABLE_SNAPSHOT,
            payload=protocol.SnapshotResult(service_mode_entity_id="7", version=3, order=None),
        )
    )


@given(st.lists(frames, max_size=8))
@settings(max_examples=200, deadline=None)
def test_the_client_survives_any_frame_and_still_matches_the_next_answer_to_its_request(burst):
    async def receive_burst_then_an_answer() -> protocol.Response:
        pushed: list[protocol.Push] = []

        async def on_push(push: protocol.Push, connection: int) -> None:
            pushed.append(push)

        client = PosClient(SETTINGS, on_push=on_push, on_frame=lambda direction, frame: None)
        for frame in burst:
            client._receive(frame)
        waiting = asyncio.get_running_loop().create_future()
        client._waiting["the-request"] = waiting
        client._receive(response_to("the-request"))
        await asyncio.sleep(0)  # push handlers run, and must not fail either
        return await asyncio.wait_for(waiting, 1)

    answer = asyncio.run(receive_burst_then_an_answer())
    assert answer.request_id == "the-request"
    assert isinstance(answer.payload, protocol.SnapshotResult)


@pytest.fixture(scope="module")
def pos():
    with running_simulator() as simulator:
        yield simulator


def snapshot_request(request_id: str) -> str:
    return codec.encode(
        protocol.Request(
            request_id=request_id,
            provider_id=90210,
            provider_name="OpenApp",
            device_id="openapp-test",
            user_identifier=str(uuid.uuid4()),
            message_type=protocol.MessageType.TABLE_SNAPSHOT,
            payload=protocol.SnapshotRequest(
                service_mode_id=SEED_SERVICE_MODE_ID, service_mode_entity_id="7"
            ),
        )
    )


def answer_to(websocket, request_id: str, timeout: float = 5.0) -> protocol.Response:
    """Read frames (answers to the garbage, pushes) until the answer to request_id."""
    for _ in range(200):
        message = codec.decode(websocket.recv(timeout=timeout))
        if isinstance(message, protocol.Response) and message.request_id == request_id:
            return message
    raise AssertionError(f"no answer to {request_id}")


@given(st.lists(garbage_for_the_pos, min_size=1, max_size=12))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_the_simulator_survives_a_burst_of_garbage_and_answers_on_the_same_connection(pos, burst):
    with connect(pos.url, open_timeout=5, close_timeout=2) as websocket:
        for frame in burst:
            websocket.send(frame)
        request_id = str(uuid.uuid4())
        websocket.send(snapshot_request(request_id))
        answer = answer_to(websocket, request_id)
    assert answer.result_code == protocol.ResultCode.SUCCESS
    assert isinstance(answer.payload, protocol.SnapshotResult)
    assert answer.payload.service_mode_entity_id == "7"

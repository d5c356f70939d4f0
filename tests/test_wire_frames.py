"""The frames the bridge puts on the wire, held to hand-written JSON from the seed and the
protocol page (§2, §4, §5), compared as parsed JSON, never through the product's codec."""

from __future__ import annotations

import uuid

import pytest

from ordering.models import Batch
from pos_bridge.models import PosConnection
from tables.models import Table
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone
from tests.restaurant import make_restaurant
from tests.scripted_pos import scripted_pos
from tests.test_diner_ordering import order_seed_items

# The seed's CreateOrder request, with the envelope of a connection whose DeviceID is
# "openapp-test" and the ids OpenApp generates shown as "<uuid>".
SEED_CREATE_ORDER = {
    "RequestID": "<uuid>",
    "ProviderID": 90210,
    "ProviderName": "OpenApp",
    "DeviceID": "openapp-test",
    "UserIdentifier": "f9248a0f-ba0c-4c80-b9f2-fe020b456ce4",
    "MessageType": 11,
    "Payload": {
        "ProviderOrderID": "<uuid>",
        "IsTraining": False,
        "ServiceModeID": "0adc10d8-d2eb-40b9-9801-0664531f7400",
        "ServiceModeEntityID": "10",
        "ServiceChargeAmount": None,
        "UseProviderPrices": False,
        "Products": [
            {
                "ProviderProductID": "<uuid>",
                "ProductType": 0,
                "PLUIdentifier": "401",
                "SalesModifierIdentifier": "07c8fd3e-6331-4646-99b2-b4ef3486fb19",
                "Name": "Corona",
                "SalesModifierName": "PINT",
                "Quantity": 2,
                "Price": 0,
                "TotalAmount": 0,
                "ChildProducts": [],
                "Adjustment": None,
            },
            {
                "ProviderProductID": "<uuid>",
                "ProductType": 0,
                "PLUIdentifier": "a9cc9a46-9a4d-445a-a248-838e188970c4",
                "SalesModifierIdentifier": None,
                "Name": "T-Bone Steak",
                "SalesModifierName": None,
                "Quantity": 1,
                "Price": 0,
                "TotalAmount": 0,
                "ChildProducts": [
                    {
                        "ProviderProductID": "<uuid>",
                        "ProductType": 0,
                        "PLUIdentifier": plu,
                        "SalesModifierIdentifier": None,
                        "Name": name,
                        "SalesModifierName": None,
                        "Quantity": 1,
                        "Price": 0,
                        "TotalAmount": 0,
                    }
                    for plu, name in [
                        ("ca68658f-7d6a-443e-9944-1c1e66c95b2f", "Medium"),
                        ("b554e4cf-aac5-442f-94d2-59153d1a42f7", "Pepper Sauce"),
                        ("711336b0-262c-4701-bea8-c554fc5ebd72", "Side Salad"),
                        ("57fd9855-c860-4330-8476-4933d96dbfbc", "Balsamic"),
                    ]
                ]
                + [
                    {
                        "ProviderProductID": "<uuid>",
                        "ProductType": 1,
                        "PLUIdentifier": None,
                        "SalesModifierIdentifier": None,
                        "Name": "sauce on side",
                        "SalesModifierName": None,
                        "Quantity": 0,
                        "Price": 0,
                        "TotalAmount": 0,
                    }
                ],
                "Adjustment": None,
            },
        ],
        "Payments": [],
        "Adjustments": [],
        "Notes": [],
    },
}

# §5: TableOrderSnapshotRequested for table 10 of the same location.
TABLE_10_SNAPSHOT_REQUEST = {
    "RequestID": "<uuid>",
    "ProviderID": 90210,
    "ProviderName": "OpenApp",
    "DeviceID": "openapp-test",
    "UserIdentifier": "f9248a0f-ba0c-4c80-b9f2-fe020b456ce4",
    "MessageType": 30,
    "Payload": {
        "ServiceModeID": "0adc10d8-d2eb-40b9-9801-0664531f7400",
        "ServiceModeEntityID": "10",
    },
}

GENERATED_IDS = {"RequestID", "ProviderOrderID", "ProviderProductID", "ProviderNoteID"}


def generated_ids_masked(frame: object, seen: list[str]) -> object:
    """The frame with every id OpenApp generates checked to be a UUID and shown as "<uuid>"."""
    if isinstance(frame, dict):
        masked = {}
        for key, value in frame.items():
            if key in GENERATED_IDS and isinstance(value, str):
                uuid.UUID(value)
                seen.append(value)
                masked[key] = "<uuid>"
            else:
                masked[key] = generated_ids_masked(value, seen)
        return masked
    if isinstance(frame, list):
        return [generated_ids_masked(item, seen) for item in frame]
    return frame


@pytest.fixture
def pos_10():
    with scripted_pos() as pos:
        yield pos


@pytest.fixture
def seed_location(transactional_db, pos_10):
    return make_restaurant(pos_10.url)


def test_create_order_and_snapshot_requests_are_the_protocols_frames(seed_location, pos_10):
    phone = Phone()
    with running_bridge():
        phone.scan(Table.objects.get(location=seed_location, pos_table_id="10"))
        order_seed_items(phone)
        phone.send()
        wait_until(lambda: pos_10.received(11), what="the CreateOrder request")
        wait_until(lambda: pos_10.received(30), what="the snapshot request")

    snapshot_ids: list[str] = []
    snapshot = pos_10.received(30)[0]
    assert generated_ids_masked(snapshot, snapshot_ids) == TABLE_10_SNAPSHOT_REQUEST

    create_order = pos_10.received(11)[0]
    ids: list[str] = []
    assert generated_ids_masked(create_order, ids) == SEED_CREATE_ORDER
    batch = Batch.objects.get()
    assert create_order["RequestID"] == str(batch.request_id)
    assert create_order["Payload"]["ProviderOrderID"] == str(batch.id)
    assert len(set(ids)) == len(ids), "every generated id is its own"


def test_a_second_location_sends_its_own_service_mode_and_table(seed_location, pos_10):
    seed_location.table_service_mode_id = "5d4f1c2e-0000-4000-8000-00000000beef"
    seed_location.currency = "EUR"
    seed_location.save()
    phone = Phone()
    with running_bridge():
        phone.scan(Table.objects.get(location=seed_location, pos_table_id="7"))
        phone.add("Corona", variant="PINT", quantity=1)
        phone.send()
        wait_until(lambda: pos_10.received(11), what="the CreateOrder request")
        wait_until(lambda: pos_10.received(30), what="the snapshot request")
    for frame in [pos_10.received(30)[0], pos_10.received(11)[0]]:
        assert frame["Payload"]["ServiceModeID"] == "5d4f1c2e-0000-4000-8000-00000000beef"
        assert frame["Payload"]["ServiceModeEntityID"] == "7"


def test_the_bearer_token_is_sent_on_the_handshake_when_configured(seed_location, pos_10):
    PosConnection.objects.filter(location=seed_location).update(token="s3cret-till-token")
    phone = Phone()
    with running_bridge():
        phone.scan(Table.objects.get(location=seed_location, pos_table_id="10"))
        wait_until(lambda: pos_10.received(30), what="the snapshot request")
    assert pos_10.handshake_headers[0]["Authorization"] == "Bearer s3cret-till-token"


def test_no_authorization_header_without_a_token(seed_location, pos_10):
    phone = Phone()
    with running_bridge():
        phone.scan(Table.objects.get(location=seed_location, pos_table_id="10"))
        wait_until(lambda: pos_10.received(30), what="the snapshot request")
    assert "Authorization" not in pos_10.handshake_headers[0]


def test_a_stopped_bridge_leaves_the_connection_saying_not_connected(seed_location, pos_10):
    with running_bridge():
        wait_until(
            lambda: PosConnection.objects.filter(
                location=seed_location, state="connected"
            ).exists(),
            what="the bridge connected",
        )
    connection = PosConnection.objects.get(location=seed_location)
    assert (connection.state, connection.held_by) == ("not connected", "")

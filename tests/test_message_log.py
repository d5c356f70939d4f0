"""The POS message log reads like a support engineer wants it: times to the millisecond,
ResultCode and ChangeType by name, the table and the batch each frame is about, the frame
pretty-printed, and filters by connection, table, batch and result."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pos_bridge import frame_log
from pos_bridge.models import PosConnection, PosMessage
from tests.test_admin_people import logged_in, person, second_location
from tests.test_floor import a_batch, a_visit

pytestmark = pytest.mark.django_db

LOG = "/admin/pos_bridge/posmessage/"
AT = datetime(2026, 6, 1, 18, 30, 5, 123456, tzinfo=UTC)


def frames(location, batch) -> None:
    connection = PosConnection.objects.get(location=location)
    request_id = str(batch.request_id)

    def frame(seconds: float, direction: str, data: dict) -> frame_log.Frame:
        return frame_log.Frame(
            connection.pk, AT + timedelta(seconds=seconds), direction, json.dumps(data)
        )

    frame_log.write(
        [
            frame(
                0,
                PosMessage.OUT,
                {
                    "RequestID": request_id,
                    "MessageType": 11,
                    "Payload": {"ServiceModeEntityID": "10", "Products": []},
                },
            ),
            frame(
                0.25,
                PosMessage.IN,
                {
                    "RequestID": request_id,
                    "MessageType": 11,
                    "ResultCode": 6,
                    "ErrorMessage": "Only 1 Corona left",
                },
            ),
            frame(
                1,
                PosMessage.IN,
                {
                    "EventID": "e-1",
                    "MessageType": 13,
                    "Payload": {
                        "ServiceModeEntityID": "10",
                        "Version": 2,
                        "ChangeType": "ITEMS_ADDED",
                    },
                },
            ),
            frame(
                2,
                PosMessage.OUT,
                {"RequestID": "snap-4", "MessageType": 12, "Payload": {"ServiceModeEntityID": "4"}},
            ),
        ]
    )


@pytest.fixture
def logged(dining_room):
    table = dining_room.tables.get(pos_table_id="10")
    session, (anna,) = a_visit(table, 1)
    batch = a_batch(session, anna)
    frames(dining_room, batch)
    return table, batch


def test_frames_are_written_with_their_table_and_change_type(dining_room, logged):
    _table, batch = logged
    rows = list(PosMessage.objects.order_by("at"))
    assert [r.table for r in rows] == ["10", "10", "10", "4"]  # the answer: its batch's table
    assert rows[2].change_type == "ITEMS_ADDED" and rows[1].result_code == 6
    assert rows[1].reference == str(batch.request_id)


def test_frames_are_kept_as_they_came_quotes_backslashes_and_all(dining_room):
    connection = PosConnection.objects.get(location=dining_room)
    name = 'Steak "well done" \\ 12" ½ — 🍺'
    texts = [
        json.dumps({"EventID": "e-2", "MessageType": 31, "Payload": {"Name": name}}),
        json.dumps({"RequestID": "r-1", "ResultCode": 0, "Payload": {"Note": name * 40}}),
    ]
    frame_log.write([frame_log.Frame(connection.pk, AT, PosMessage.IN, t) for t in texts])
    assert sorted(PosMessage.objects.values_list("text", flat=True)) == sorted(texts)


def test_a_frame_with_a_nul_character_is_kept_and_so_are_the_others(dining_room):
    """PostgreSQL's text cannot hold U+0000; a POS may send it anyway."""
    connection = PosConnection.objects.get(location=dining_room)
    odd = '{"EventID": "e-\x00-3", "MessageType": 31, "Payload": {}}'
    fine = '{"EventID": "e-4", "MessageType": 31, "Payload": {}}'
    frame_log.write([frame_log.Frame(connection.pk, AT, PosMessage.IN, t) for t in (odd, fine)])
    kept = dict(PosMessage.objects.values_list("reference", "text"))
    assert kept == {"e-\ufffd-3": odd.replace("\x00", "\ufffd"), "e-4": fine}


def test_the_log_shows_milliseconds_names_the_table_and_the_batch(dining_room, logged):
    table, batch = logged
    client = logged_in(person("morgan", "Managers", dining_room))
    page = client.get(LOG).content.decode()
    assert "2026-06-01 19:30:05.123" in page and "2026-06-01 19:30:05.373" in page
    assert "6 INSUFFICIENT_STOCK" in page
    assert "ITEMS_ADDED" in page
    assert f'href="/admin/tables/table/{table.pk}/change/"' in page
    assert f'href="/admin/ordering/batch/{batch.pk}/change/"' in page
    assert "from POS" in page and "to POS" in page

    response = PosMessage.objects.get(result_code=6)
    detail = client.get(f"{LOG}{response.pk}/change/").content.decode()
    assert "  &quot;ResultCode&quot;: 6," in detail  # pretty-printed, indented
    assert "6 INSUFFICIENT_STOCK" in detail and "19:30:05.373" in detail


def count(client, query: str) -> int:
    page = client.get(f"{LOG}?{query}")
    assert page.status_code == 200, query
    return len(page.context["cl"].result_list)


def test_filters_by_connection_table_batch_and_result(dining_room, logged):
    table, batch = logged
    client = logged_in(person("morgan", "Managers", dining_room))
    connection = PosConnection.objects.get(location=dining_room)
    assert count(client, f"connection__id__exact={connection.pk}") == 4
    assert count(client, f"table={table.pk}") == 3
    assert count(client, f"table={dining_room.tables.get(pos_table_id='4').pk}") == 1
    assert count(client, f"batch={batch.pk}") == 2
    assert count(client, "result=6") == 1
    assert count(client, "result=none") == 3
    page = client.get(LOG).content.decode()
    for title in ["By table", "By batch", "By result"]:
        assert title.lower() in page.lower(), title
    # With more than one connection to choose from (here a superuser's two locations).
    harbour = second_location()
    PosMessage.objects.create(
        connection=PosConnection.objects.get(location=harbour),
        at=AT,
        direction=PosMessage.IN,
        kind="connection",
        size=2,
        text="up",
    )
    from django.contrib.auth.models import User

    boss = logged_in(User.objects.create_superuser("boss", password="x"))
    assert "by connection" in boss.get(LOG).content.decode().lower()


def test_filters_never_reach_another_locations_rows(dining_room, logged):
    table, batch = logged
    harbour = second_location()
    other = logged_in(person("olly", "Managers", harbour))
    assert count(other, "") == 0
    assert count(other, f"table={table.pk}") == 0
    assert count(other, f"batch={batch.pk}") == 0
    page = other.get(LOG).content.decode()
    assert f"?table={table.pk}" not in page and str(batch.pk) not in page


def test_a_frame_is_described_from_its_head_whatever_its_payload():
    """The log names a frame's kind, reference, type, result and table; an order's lines,
    a payload that is no object, or a frame that is no protocol message change only that."""
    order = {"Products": [{"Name": "Garlic Bread", "LineID": f"L{n}"} for n in range(80)]}
    push = {
        "EventID": "e-1",
        "MessageType": 31,
        "Payload": {"ServiceModeEntityID": "10", "ChangeType": "ITEMS_ADDED", "Order": order},
    }
    described = frame_log._describe(json.dumps(push))
    assert described == {
        "kind": "push",
        "reference": "e-1",
        "message_type": 31,
        "result_code": None,
        "table": "10",
        "change_type": "ITEMS_ADDED",
    }
    answer = frame_log._describe('{"RequestID": "r-1", "ResultCode": 0, "Payload": [1, 2]}')
    assert (answer["kind"], answer["reference"], answer["result_code"]) == ("response", "r-1", 0)
    assert answer["table"] == ""
    for junk in ("[1, 2]", "not json", '{"Hello": 1}', '"RequestID"'):
        assert frame_log._describe(junk) == {"kind": "unreadable"}

"""How much of the POS message log is kept: POS_MESSAGE_LOG_DAYS days and at most
POS_MESSAGE_LOG_MAX_ROWS frames. A running bridge prunes it by itself, off its own round."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings
from django.utils import timezone

from pos_bridge import frame_log
from pos_bridge.models import PosConnection, PosMessage
from pos_bridge.simulator import running_simulator
from tests.live_table import bridge_on_this_loop, eventually
from tests.restaurant import make_restaurant

pytestmark = pytest.mark.django_db(transaction=True)


def a_frame(connection: PosConnection, days_ago: float, event: str) -> frame_log.Frame:
    text = json.dumps({"EventID": event, "MessageType": 31, "Payload": {}})
    at = timezone.now() - timedelta(days=days_ago)
    return frame_log.Frame(connection.pk, at, PosMessage.IN, text)


def events_kept() -> list[str]:
    """The EventIDs of the frames kept (a running bridge also logs its connection's own
    events, as plain words)."""
    texts = PosMessage.objects.values_list("text", flat=True)
    return [json.loads(text).get("EventID", "") for text in texts if text.startswith("{")]


@override_settings(POS_MESSAGE_LOG_DAYS=7, POS_MESSAGE_LOG_MAX_ROWS=3)
def test_frames_older_than_the_days_kept_go_and_so_do_the_oldest_past_the_cap():
    connection = PosConnection.objects.get(location=make_restaurant("ws://127.0.0.1:9"))
    frame_log.write(
        [a_frame(connection, days, f"{days:g} days ago") for days in (9, 8, 5, 4, 3, 2)]
    )

    removed = frame_log.prune()

    assert removed == 3  # two past the seven days, then the oldest of four past three rows
    assert sorted(events_kept()) == ["2 days ago", "3 days ago", "4 days ago"]


@override_settings(POS_MESSAGE_LOG_DAYS=7)
async def test_a_running_bridge_prunes_the_log_by_itself():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        connection = await PosConnection.objects.aget(location=restaurant)
        await sync_to_async(frame_log.write)(
            [a_frame(connection, 8, "last week's"), a_frame(connection, 1, "yesterday's")]
        )
        async with bridge_on_this_loop():
            await eventually(
                lambda: "last week's" not in events_kept(), what="last week's frame pruned"
            )
        assert "yesterday's" in await sync_to_async(events_kept)()

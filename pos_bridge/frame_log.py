"""Every frame in and out of a POS connection, kept for managers, within limits.

Frames are buffered and written in bulk, so logging never adds a database write to the
path of a request. Old rows are pruned by age and by count.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ordering.models import Batch
from pos_bridge.models import PosConnection, PosMessage

log = logging.getLogger("openapp.frames")

TEXT_CAP = 16 * 1024


@dataclass(frozen=True)
class Frame:
    connection_id: int
    at: datetime
    direction: str
    text: str
    kind: str | None = None  # None: a frame, described from its text


class _PayloadHead(msgspec.Struct):
    """What the log shows of a frame's payload; the rest (an order's lines) is skipped."""

    ServiceModeEntityID: Any = None
    ChangeType: Any = None


class _Head(msgspec.Struct):
    """What the log shows of a frame, read without building the rest of it."""

    EventID: Any = msgspec.UNSET
    RequestID: Any = None
    ResultCode: Any = msgspec.UNSET
    MessageType: Any = None
    Payload: msgspec.Raw = msgspec.Raw(b"null")


_read_head = msgspec.json.Decoder(_Head).decode
_read_payload_head = msgspec.json.Decoder(_PayloadHead).decode


def _describe(text: str) -> dict:
    """Kind, MessageType, reference and ResultCode of a frame, without trusting it, and
    without building what the log does not show (a long meal's order: its lines)."""
    try:
        head = _read_head(text)
    except msgspec.DecodeError:  # not JSON, or not an object (ValidationError is one)
        return {"kind": "unreadable"}
    if head.EventID is not msgspec.UNSET:
        kind, reference = "push", head.EventID
    elif head.ResultCode is not msgspec.UNSET:
        kind, reference = "response", head.RequestID
    elif head.RequestID is not None:
        kind, reference = "request", head.RequestID
    else:
        return {"kind": "unreadable"}
    message_type = head.MessageType
    result_code = None if head.ResultCode is msgspec.UNSET else head.ResultCode
    payload = _PayloadHead()
    if bytes(head.Payload).startswith(b"{"):  # an object; anything else names no table
        payload = _read_payload_head(head.Payload)
    table, change_type = payload.ServiceModeEntityID, payload.ChangeType
    return {
        "kind": kind,
        "reference": str(reference)[:64] if reference is not None else "",
        "message_type": message_type if isinstance(message_type, int) else None,
        "result_code": result_code if isinstance(result_code, int) else None,
        "table": str(table)[:64] if isinstance(table, str | int) else "",
        "change_type": str(change_type)[:30] if isinstance(change_type, str | int) else "",
    }


def _tables_of_batches(rows: list[PosMessage]) -> None:
    """An answer to an order names no table: it is the table of the batch it answers."""
    references = {}
    for row in rows:
        if not row.table and row.reference:
            try:
                references.setdefault(uuid.UUID(row.reference), []).append(row)
            except ValueError:
                continue
    if not references:
        return
    found = Batch.objects.filter(request_id__in=list(references)).values_list(
        "request_id", "session__table__pos_table_id"
    )
    for request_id, pos_table_id in found:
        for row in references[request_id]:
            row.table = pos_table_id or ""


def write(frames: list[Frame]) -> None:
    rows = []
    for frame in frames:
        # PostgreSQL's text holds no NUL: a frame carrying one is kept with U+FFFD there.
        text = frame.text.replace("\x00", "\ufffd")
        rows.append(
            PosMessage(
                connection_id=frame.connection_id,
                at=frame.at,
                direction=frame.direction,
                size=len(frame.text.encode("utf-8", "replace")),
                text=text[:TEXT_CAP],
                **(_describe(text) if frame.kind is None else {"kind": frame.kind}),
            )
        )
    _tables_of_batches(rows)
    with transaction.atomic():
        PosMessage.objects.bulk_create(rows)
        last_in: dict[int, datetime] = {}
        for frame in frames:
            if frame.direction == PosMessage.IN:
                last_in[frame.connection_id] = frame.at
        for connection_id, at in last_in.items():
            PosConnection.objects.filter(pk=connection_id).update(last_message_at=at)


def prune(now: datetime | None = None) -> int:
    now = now or timezone.now()
    days = settings.POS_MESSAGE_LOG_DAYS
    cap = settings.POS_MESSAGE_LOG_MAX_ROWS
    removed, _ = PosMessage.objects.filter(at__lt=now - timedelta(days=days)).delete()
    cutoff = PosMessage.objects.order_by("-at", "-pk").values_list("pk", flat=True)[cap : cap + 1]
    if cutoff:
        extra, _ = PosMessage.objects.filter(pk__lte=cutoff[0]).delete()
        removed += extra
    return removed


class FrameBuffer:
    def __init__(self) -> None:
        self.frames: list[Frame] = []

    def add(self, connection_id: int, direction: str, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self.frames.append(Frame(connection_id, timezone.now(), direction, text))

    def add_event(self, connection_id: int, text: str) -> None:
        """Something that happened to the connection itself (it dropped, was refused)."""
        self.frames.append(Frame(connection_id, timezone.now(), PosMessage.IN, text, "connection"))

    def take(self) -> list[Frame]:
        frames, self.frames = self.frames, []
        return frames

"""One codec between the protocol's typed objects and the wire's JSON text.

Numbers with a fraction are read as Decimal and written back digit for digit, so money
never passes through binary floating point. Anything that does not fit the protocol
raises ProtocolError; the caller logs it and drops the frame.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from pos_bridge import protocol
from pos_bridge.protocol import OMIT

MAX_FRAME_BYTES = 1024 * 1024
# A JSON escape of a UTF-16 surrogate (\ud800-\udfff); alone, it is not Unicode text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class ProtocolError(ValueError):
    """A frame that is not a valid protocol message."""


# No till rings up a trillion: a bigger number is a broken message, not a bill (and past
# 10^26 it could not even be kept to two places).
LARGEST_NUMBER = Decimal(10**12)


@cache
def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, f.metadata["wire"], hints[f.name])
        for f in dataclasses.fields(cls)
        if "wire" in f.metadata
    )


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        last_error: ProtocolError | None = None
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(value, option, where)
            except ProtocolError as error:
                last_error = error
        raise last_error or ProtocolError(f"{where}: unexpected null")
    if origin is list:
        if not isinstance(value, list):
            raise ProtocolError(f"{where}: expected a list")
        (item_hint,) = typing.get_args(hint)
        return [_convert(item, item_hint, f"{where}[{i}]") for i, item in enumerate(value)]
    if hint is Any or origin is dict:
        return value
    if dataclasses.is_dataclass(hint):
        return from_wire(hint, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise ProtocolError(f"{where}: expected true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError(f"{where}: expected a whole number")
        return value
    if hint is Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ProtocolError(f"{where}: expected a number")
        number = Decimal(value)
        if not number.is_finite() or abs(number) >= LARGEST_NUMBER:
            raise ProtocolError(f"{where}: expected a finite number below {LARGEST_NUMBER:,}")
        return number
    if hint is str:
        if not isinstance(value, str):
            raise ProtocolError(f"{where}: expected text")
        return value
    raise ProtocolError(f"{where}: unsupported type {hint!r}")


def from_wire(cls: type, data: Any, where: str | None = None) -> Any:
    """Build a protocol object of class `cls` from parsed wire JSON."""
    where = where or cls.__name__
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected an object")
    values: dict[str, Any] = {}
    known = set()
    for name, wire_name, hint in _fields(cls):
        known.add(wire_name)
        if wire_name in data:
            values[name] = _convert(data[wire_name], hint, f"{where}.{wire_name}")
    obj = cls(**values)
    obj.extra = {k: v for k, v in data.items() if k not in known}
    return obj


def to_wire(obj: Any) -> Any:
    """The wire JSON (as Python values, Decimals kept) of a protocol object."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for name, wire_name, _hint in _fields(type(obj)):
            value = getattr(obj, name)
            if value is not OMIT:
                out[wire_name] = to_wire(value)
        for key, value in getattr(obj, "extra", {}).items():
            out.setdefault(key, value)
        return out
    if isinstance(obj, list):
        return [to_wire(item) for item in obj]
    if isinstance(obj, int) and not isinstance(obj, bool):
        return int(obj)  # IntEnum members go out as plain numbers
    if isinstance(obj, str):
        return str(obj)  # StrEnum members go out as plain text
    return obj


def dumps(value: Any) -> str:
    """JSON text with Decimals written exactly as they are (json.dumps cannot)."""
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("money must be a finite number")
        text = str(value)
        # str() may use exponent form (1E+2); JSON allows it, but keep plain digits for readers.
        return format(value, "f") if "E" in text else text
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def loads(text: str | bytes) -> Any:
    if isinstance(text, bytes):
        if len(text) > MAX_FRAME_BYTES:
            raise ProtocolError("frame larger than 1 MiB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError("frame is not UTF-8") from error
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise ProtocolError("frame is not Unicode text") from error
    if size > MAX_FRAME_BYTES:
        raise ProtocolError("frame larger than 1 MiB")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, InvalidOperation, RecursionError) as error:
        raise ProtocolError(f"not valid JSON: {error}") from error
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        # It would decode, but no answer echoing it could be sent as UTF-8 (protocol §1).
        raise ProtocolError("frame escapes a lone surrogate: not Unicode text")
    return data


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _payload_class(kind: str, message_type: Any) -> type | None:
    table = {
        "request": protocol.REQUEST_PAYLOADS,
        "response": protocol.RESPONSE_PAYLOADS,
        "push": protocol.PUSH_PAYLOADS,
    }[kind]
    return table.get(message_type)


def decode(text: str | bytes) -> protocol.Envelope:
    """Parse one frame into a Request, Response or Push with a typed payload.

    A payload of an unknown message type is kept as raw JSON; a payload of a known type
    that does not fit raises ProtocolError, except on a failed Response, whose payload
    may be anything (a POS that rejects often sends null).
    """
    data = loads(text)
    if not isinstance(data, dict):
        raise ProtocolError("a frame must be a JSON object")
    if "EventID" in data:
        kind, cls = "push", protocol.Push
    elif "RequestID" in data and "ResultCode" in data:
        kind, cls = "response", protocol.Response
    elif "RequestID" in data:
        kind, cls = "request", protocol.Request
    else:
        raise ProtocolError("a frame needs a RequestID or an EventID")
    raw_payload = data.get("Payload")
    envelope = from_wire(cls, {k: v for k, v in data.items() if k != "Payload"})
    if not isinstance(envelope.message_type, int):
        raise ProtocolError(f"{cls.__name__}: MessageType is required")
    if kind != "push" and not isinstance(envelope.request_id, str):
        raise ProtocolError(f"{cls.__name__}: RequestID is required")
    if kind == "push" and not isinstance(envelope.event_id, str):
        raise ProtocolError("Push: EventID is required")
    if "Payload" not in data:
        envelope.payload = OMIT
        return envelope
    payload_cls = _payload_class(kind, envelope.message_type)
    if payload_cls is None or raw_payload is None:
        envelope.payload = raw_payload
    elif kind == "response" and envelope.result_code != protocol.ResultCode.SUCCESS:
        try:
            envelope.payload = from_wire(payload_cls, raw_payload)
        except ProtocolError:
            envelope.payload = raw_payload
    else:
        envelope.payload = from_wire(payload_cls, raw_payload)
    return envelope


def encode(envelope: protocol.Envelope) -> str:
    """The JSON text of one frame."""
    return dumps(to_wire(envelope))

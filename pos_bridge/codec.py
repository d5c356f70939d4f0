"""One codec between the protocol's Structs and the wire's JSON text: a thin layer over msgspec.

Numbers with a fraction are read as Decimal and written back as JSON numbers digit for digit,
so money never passes through binary floating point. Anything that does not fit the protocol
raises ProtocolError, whose message is msgspec's and names the field's path (`... - at
`$.Payload.Products[0].Quantity``); the caller logs it and drops the frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

import msgspec

from pos_bridge import protocol
from pos_bridge.protocol import LARGEST_NUMBER as LARGEST_NUMBER  # the simulator's console
from pos_bridge.protocol import Money

MAX_FRAME_BYTES = 1024 * 1024


class ProtocolError(ValueError):
    """A frame that is not a valid protocol message."""


def _dec_hook(cls: type, value: Any) -> Any:
    if cls is Money:
        return Money.from_wire(value)
    raise NotImplementedError(cls)


def _enc_hook(value: Any) -> Any:
    if isinstance(value, Decimal):
        return Decimal(value)  # a Money read off the wire goes out as the number it was
    raise NotImplementedError(f"{type(value).__name__} is not part of the protocol")


_encoder = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")
_any_json = msgspec.json.Decoder(float_hook=Decimal)


@cache
def _decoder(envelope: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(envelope, dec_hook=_dec_hook, float_hook=Decimal)


# A \u0000 escape (after an even run of backslashes: not itself escaped).
_NUL_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def _frame_bytes(text: str | bytes) -> bytes:
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
    except UnicodeEncodeError as error:
        raise ProtocolError("frame is not Unicode text") from error
    if len(data) > MAX_FRAME_BYTES:
        raise ProtocolError("frame larger than 1 MiB")
    if b"\\u0000" in data:
        # PostgreSQL's text and jsonb cannot hold U+0000: a check naming a dish with one
        # would never be stored, and the bill would stop there. It is read as U+FFFD.
        data = _NUL_ESCAPE.sub(rb"\1\\ufffd", data)
    return data


def _json(decoder: msgspec.json.Decoder[Any], data: bytes) -> Any:
    # msgspec itself refuses invalid UTF-8 and lone surrogate escapes (\ud800), which no
    # answer echoing them could be sent as (protocol §1); and NaN, which JSON has not.
    try:
        return decoder.decode(data)
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError) as error:
        raise ProtocolError(str(error)) from error


def loads(text: str | bytes) -> Any:
    """Any JSON frame as Python values, fractions as Decimal."""
    return _json(_any_json, _frame_bytes(text))


def dumps(value: Any) -> str:
    """JSON text, Decimals written as the numbers they are."""
    text = _encoder.encode(value)
    if (b"NaN" in text or b"Infinity" in text) and _is_not_json(text):
        raise ValueError("money must be a finite number")
    return text.decode("utf-8")


def _is_not_json(text: bytes) -> bool:
    try:
        _any_json.decode(text)
    except msgspec.DecodeError:
        return True
    return False


# What a protocol object's field can hold that is not itself a protocol object: never walked.
_VALUES = (
    msgspec.inspect.StrType,
    msgspec.inspect.IntType,
    msgspec.inspect.BoolType,
    msgspec.inspect.FloatType,
    msgspec.inspect.DecimalType,
    msgspec.inspect.NoneType,
    msgspec.inspect.EnumType,
    msgspec.inspect.LiteralType,
    msgspec.inspect.CustomType,
    msgspec.inspect.UUIDType,
    msgspec.inspect.DateTimeType,
)


def _may_hold_objects(kind: msgspec.inspect.Type) -> bool:
    if isinstance(kind, _VALUES):
        return False
    if isinstance(kind, msgspec.inspect.UnionType):
        return any(_may_hold_objects(member) for member in kind.types)
    if isinstance(kind, msgspec.inspect.ListType):
        return _may_hold_objects(kind.item_type)
    return True  # a protocol object, a payload of any type, or a shape not listed above


class _Shape(NamedTuple):
    keys: frozenset[str]  # the object's wire keys
    nested: tuple[tuple[str, str], ...]  # (name, key) of the fields that can hold objects


@cache
def _shape(cls: type) -> _Shape:
    """What of a protocol object the walk below visits: only the fields that can hold more
    protocol objects (a frame's hundreds of prices and names are skipped)."""
    fields = msgspec.inspect.type_info(cls).fields
    nested = tuple((f.name, f.encode_name) for f in fields if _may_hold_objects(f.type))
    return _Shape(frozenset(f.encode_name for f in fields), nested)


def _pair(obj: Any, plain: Any, visit: Callable[[protocol.Wire, dict[str, Any]], None]) -> None:
    """visit(struct, its JSON object) for every protocol object in obj and its wire JSON."""
    if isinstance(obj, protocol.Wire) and isinstance(plain, dict):
        visit(obj, plain)
        for name, key in _shape(type(obj)).nested:
            if key in plain:
                _pair(getattr(obj, name), plain[key], visit)
    elif isinstance(obj, list) and isinstance(plain, list):
        for item, plain_item in zip(obj, plain, strict=False):
            _pair(item, plain_item, visit)


def _keep_extra(obj: protocol.Wire, plain: dict[str, Any]) -> None:
    known = _shape(type(obj)).keys
    if plain.keys() <= known:
        return
    obj.extra = {key: value for key, value in plain.items() if key not in known}


def _send_extra(obj: protocol.Wire, plain: dict[str, Any]) -> None:
    for key, value in obj.extra.items():
        plain.setdefault(key, value)


_ENVELOPES = [  # told apart by which keys a frame has, in this order
    ("EventID", protocol.Push, protocol.PUSH_PAYLOADS),
    ("ResultCode", protocol.Response, protocol.RESPONSE_PAYLOADS),
    ("RequestID", protocol.Request, protocol.REQUEST_PAYLOADS),
]


def decode(text: str | bytes) -> protocol.Envelope:
    """Parse one frame into a Request, Response or Push with a typed payload.

    A payload of an unknown message type is kept as raw JSON; a payload of a known type
    that does not fit raises ProtocolError, except on a failed Response, whose payload
    may be anything (a POS that rejects often sends null).
    """
    data = _frame_bytes(text)
    plain = _json(_any_json, data)
    if not isinstance(plain, dict):
        raise ProtocolError("a frame must be a JSON object")
    if "RequestID" not in plain and "EventID" not in plain:
        raise ProtocolError("a frame needs a RequestID or an EventID")
    _key, envelope, payloads = next(e for e in _ENVELOPES if e[0] in plain)
    message_type = plain.get("MessageType")
    payload = payloads.get(message_type, Any) if isinstance(message_type, int) else Any
    lenient = envelope is protocol.Response and plain.get("ResultCode") != 0
    try:
        message = _json(_decoder(envelope[payload]), data)
    except ProtocolError:
        if not lenient or payload is Any:
            raise
        message = _json(_decoder(envelope[Any]), data)  # a failed answer's payload, raw
    if "Payload" not in plain:
        message.payload = protocol.OMIT  # sent on without one, as it came
    _pair(message, plain, _keep_extra)
    return message


def to_wire(obj: Any) -> Any:
    """The wire JSON (as Python values, Decimals kept) of a protocol object."""
    plain = msgspec.to_builtins(obj, builtin_types=(Decimal,), enc_hook=_enc_hook)
    _pair(obj, plain, _send_extra)
    return plain


def encode(envelope: protocol.Envelope) -> str:
    """The JSON text of one frame."""
    return dumps(to_wire(envelope))

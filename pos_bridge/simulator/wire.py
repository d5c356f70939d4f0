"""The simulator's JSON for the POS protocol (docs/pos-protocol.md), read and written by msgspec.

Independent of the product's codec on purpose: a misreading of the protocol page by the
bridge must not be mirrored here. The messages are msgspec Structs (messages.py); `decode`
reads a frame into one, and a value that does not fit fails with msgspec's ValidationError,
which names the path to it ("Expected `int`, got `str` - at `$.Payload.Products[0].Quantity`").
Keys a struct does not know are ignored (msgspec's default): a POS tolerates fields it does
not use.

Money is the `Money` type, which msgspec leaves to the hooks here: it is read only from a
JSON number, digit for digit (the decoder's float_hook hands the number's text to Decimal,
never to float), and written as a JSON number with two decimals ("Amount": 40.45). Other
Decimals are written digit for digit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated, Any, TypeVar

import msgspec

MAX_FRAME_BYTES = 1024 * 1024  # protocol §1
# No till rings up a trillion: a bigger number is a broken message, not a bill.
LARGEST_NUMBER = Decimal(10**12)
CENT = Decimal("0.01")

T = TypeVar("T")

ValidationError = msgspec.ValidationError


class NotJson(ValueError):
    """A frame that is not JSON text (or not Unicode, or too large)."""


class Money(Decimal):
    """An amount of money on the wire: a JSON number, read exactly, written to the cent."""

    __slots__ = ()


class NonNegativeMoney(Money):
    """Money that cannot be below zero (a price, a service charge)."""

    __slots__ = ()


# Whole numbers on the wire: bounded like money; a count is also never negative.
Int = Annotated[int, msgspec.Meta(gt=-(10**12), lt=10**12)]
Count = Annotated[int, msgspec.Meta(ge=0, lt=10**12)]

_JSON_TYPES = {str: "str", bool: "bool", list: "array", dict: "object", float: "float"}


def _decode_hook(cls: type, value: Any) -> Any:
    """Money from what the decoder read: an int, or a Decimal made by its float_hook.

    msgspec adds the path to the TypeError or ValueError raised here.
    """
    if not (isinstance(cls, type) and issubclass(cls, Money)):
        raise NotImplementedError(f"the simulator's structs do not support {cls!r}")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        got = "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)
        raise TypeError(f"Expected `decimal`, got `{got}`")
    number = cls(value)
    if number >= LARGEST_NUMBER:
        raise ValueError(f"Expected `decimal` < {LARGEST_NUMBER}")
    if number <= -LARGEST_NUMBER:
        raise ValueError(f"Expected `decimal` > -{LARGEST_NUMBER}")
    if issubclass(cls, NonNegativeMoney) and number < 0:
        raise ValueError("Expected `decimal` >= 0")
    return number


def _encode_hook(value: Any) -> Any:
    if isinstance(value, Money):
        if not value.is_finite():
            raise ValueError("a number on the wire must be finite")
        return Decimal(money(value))
    raise TypeError(f"cannot write {type(value).__name__} to the wire")


_encoder = msgspec.json.Encoder(enc_hook=_encode_hook, decimal_format="number")
_untyped = msgspec.json.Decoder(float_hook=Decimal)


@cache
def _decoder(cls: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(cls, dec_hook=_decode_hook, float_hook=Decimal)


# Reading


def _checked(frame: str | bytes) -> str | bytes:
    if len(frame) > MAX_FRAME_BYTES:
        raise NotJson("frame larger than 1 MiB")
    return frame


def loads(frame: str | bytes) -> Any:
    """One frame's JSON as Python values; numbers with a fraction become Decimal, never float."""
    return decode(Any, frame)


def decode(cls: type[T] | Any, frame: str | bytes) -> T:
    """A `cls` from one frame's JSON text.

    NotJson when it is not JSON at all (msgspec refuses NaN, Infinity and an escaped lone
    surrogate, none of which is JSON text an answer could echo); msgspec's ValidationError,
    naming the path, when it is JSON that does not fit `cls`.
    """
    decoder = _untyped if cls is Any else _decoder(cls)
    try:
        return decoder.decode(_checked(frame))
    except ValidationError:
        raise
    except msgspec.DecodeError as error:
        raise NotJson(f"not valid JSON: {error}") from None
    except UnicodeDecodeError:
        raise NotJson("frame is not UTF-8") from None
    except RecursionError:
        raise NotJson("not valid JSON: nested too deeply") from None


# Writing


def money(value: Decimal | int) -> Money:
    """Two decimal places, half up; never a negative zero."""
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return Money(abs(rounded) if rounded == 0 else rounded)


def to_builtins(obj: Any) -> Any:
    """The wire JSON of a struct as Python values (dicts, lists, Decimals; money to the cent)."""
    return msgspec.to_builtins(obj, builtin_types=(Decimal,), enc_hook=_encode_hook)


def dumps(value: Any) -> str:
    """JSON text; Decimals written as numbers, digit for digit, and money to the cent."""
    return _encoder.encode(value).decode("utf-8")

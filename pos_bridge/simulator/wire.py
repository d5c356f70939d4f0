"""The simulator's own typed structs and JSON for the POS protocol (docs/pos-protocol.md).

Independent of the product's codec on purpose: a misreading of the protocol page by the
bridge must not be mirrored here. A struct is a dataclass whose fields carry their wire
names; `decode` builds one from parsed JSON, checking types and constraints, and fails
with the first problem and the path to it, in msgspec's words
("Expected `int`, got `str` - at `$.Payload.Products[0].Quantity`"). Keys a struct does
not know are ignored: a POS tolerates fields it does not use. `encode` writes a struct
back, money as JSON numbers with two decimals ("Amount": 40.45).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

MAX_FRAME_BYTES = 1024 * 1024  # protocol §1
# No till rings up a trillion: a bigger number is a broken message, not a bill.
LARGEST_NUMBER = Decimal(10**12)
CENT = Decimal("0.01")


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Any = _Omit()  # a field left at OMIT is not written at all
_REQUIRED: Any = dataclasses.MISSING


class ValidationError(ValueError):
    """A value that does not fit its struct; the message names the path to it."""


class NotJson(ValueError):
    """A frame that is not JSON text (or not Unicode, or too large)."""


def wire(
    name: str,
    default: Any = _REQUIRED,
    *,
    ge: int | Decimal | None = None,
    min_length: int | None = None,
    one_of: tuple[Any, ...] | None = None,
    money: bool = False,
) -> Any:
    """A struct field: its wire name, its default (none: required) and its constraints."""
    metadata = {"wire": name, "ge": ge, "min_length": min_length, "one_of": one_of}
    metadata["money"] = money
    if isinstance(default, list):
        return dataclasses.field(default_factory=list, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True)
class _Field:
    attribute: str
    name: str
    hint: Any
    required: bool
    metadata: Any


@cache
def _fields(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        _Field(
            f.name,
            f.metadata["wire"],
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            f.metadata,
        )
        for f in dataclasses.fields(cls)
        if "wire" in f.metadata
    )


# Reading


def loads(frame: str | bytes) -> Any:
    """Parse one frame's JSON; numbers with a fraction become Decimal, never float."""
    if isinstance(frame, bytes):
        if len(frame) > MAX_FRAME_BYTES:
            raise NotJson("frame larger than 1 MiB")
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotJson("frame is not UTF-8") from error
    if len(frame) > MAX_FRAME_BYTES:
        raise NotJson("frame larger than 1 MiB")
    try:
        data = json.loads(frame, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, InvalidOperation, RecursionError) as error:
        raise NotJson(f"not valid JSON: {error}") from error
    if "\\u" in frame and not _is_unicode(data):
        # It parses, but no answer echoing it could be sent as UTF-8 (protocol §1).
        raise NotJson("frame escapes a lone surrogate: not Unicode text")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_unicode(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, Decimal):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _expected(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_expected(option) for option in typing.get_args(hint))
    if origin is list:
        return "array"
    if hint is type(None):
        return "null"
    if dataclasses.is_dataclass(hint):
        return "object"
    return {bool: "bool", int: "int", str: "str", Decimal: "decimal"}.get(hint, str(hint))


def at(path: str) -> str:
    return "" if path == "$" else f" - at `{path}`"


def _mismatch(hint: Any, value: Any, path: str) -> ValidationError:
    return ValidationError(f"Expected `{_expected(hint)}`, got `{_got(value)}`{at(path)}")


def _convert(value: Any, hint: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        (option,) = (o for o in options if o is not type(None))  # only X | None is used
        if value is None:
            raise _mismatch(hint, value, path)
        try:
            return _convert(value, option, path)
        except ValidationError as error:
            if str(error).startswith(f"Expected `{_expected(option)}`, got"):
                raise _mismatch(hint, value, path) from None
            raise
    if hint is Any:
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _mismatch(hint, value, path)
        (item_hint,) = typing.get_args(hint)
        return [_convert(item, item_hint, f"{path}[{i}]") for i, item in enumerate(value)]
    if dataclasses.is_dataclass(hint):
        return decode(hint, value, path)
    if hint is bool:
        if not isinstance(value, bool):
            raise _mismatch(hint, value, path)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _mismatch(hint, value, path)
        if abs(value) >= LARGEST_NUMBER:
            raise ValidationError(f"Expected `int` below {LARGEST_NUMBER:,}{at(path)}")
        return value
    if hint is Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise _mismatch(hint, value, path)
        number = Decimal(value)
        if not number.is_finite() or abs(number) >= LARGEST_NUMBER:
            raise ValidationError(f"Expected `decimal` below {LARGEST_NUMBER:,}{at(path)}")
        return number
    if hint is str:
        if not isinstance(value, str):
            raise _mismatch(hint, value, path)
        return value
    raise TypeError(f"the simulator's structs do not support {hint!r}")


def _constrain(value: Any, field: _Field, path: str) -> None:
    if value is None:
        return
    meta = field.metadata
    if meta["ge"] is not None and value < meta["ge"]:
        kind = "int" if isinstance(value, int) else "decimal"
        raise ValidationError(f"Expected `{kind}` >= {meta['ge']}{at(path)}")
    if meta["min_length"] is not None and len(value) < meta["min_length"]:
        kind = "array" if isinstance(value, list) else "str"
        raise ValidationError(f"Expected `{kind}` of length >= {meta['min_length']}{at(path)}")
    if meta["one_of"] is not None and value not in meta["one_of"]:
        raise ValidationError(f"Invalid enum value {value!r}{at(path)}")


def decode(cls: type[T], data: Any, path: str = "$") -> T:
    """A struct of class `cls` from parsed JSON, or ValidationError naming the first problem.

    Keys are read in the order they come, as msgspec does, and a missing required field is
    reported after the keys that are there.
    """
    if not isinstance(data, dict):
        raise _mismatch(cls, data, path)
    by_name = {field.name: field for field in _fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        field = by_name.get(key)
        if field is None:
            continue  # unknown fields are tolerated
        where = f"{path}.{key}"
        value = _convert(raw, field.hint, where)
        _constrain(value, field, where)
        values[field.attribute] = value
    for field in by_name.values():
        if field.required and field.attribute not in values:
            raise ValidationError(f"Object missing required field `{field.name}`{at(path)}")
    return cls(**values)


T = typing.TypeVar("T")


# Writing


def money(value: Decimal) -> Decimal:
    """Two decimal places, half up; never a negative zero."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def to_builtins(obj: Any, is_money: bool = False) -> Any:
    """The wire JSON of a struct as Python values (dicts, lists, Decimals)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for field in _fields(type(obj)):
            value = getattr(obj, field.attribute)
            if value is not OMIT:
                out[field.name] = to_builtins(value, field.metadata["money"])
        return out
    if isinstance(obj, list):
        return [to_builtins(item, is_money) for item in obj]
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return money(Decimal(obj)) if is_money else int(obj)  # IntEnum goes out as a number
    if isinstance(obj, Decimal):
        return money(obj) if is_money else obj
    if isinstance(obj, str):
        return str(obj)  # StrEnum goes out as text
    if isinstance(obj, dict):
        return {str(k): to_builtins(v) for k, v in obj.items()}
    raise TypeError(f"cannot write {type(obj).__name__} to the wire")


def dumps(value: Any) -> str:
    """JSON text, Decimals written digit for digit as numbers (json.dumps cannot)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = to_builtins(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a number on the wire must be finite")
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False, allow_nan=False)

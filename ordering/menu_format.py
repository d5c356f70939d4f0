"""The menu file format, "openapp-menu/1", as msgspec Structs: the one place its rules live.

Each value's rule is written once, in its type: a name is text of 1 to N characters (N is
the model field's max_length), a price is a Price, min and max are whole numbers in what
the database column holds. `read_menu` decodes a file or a dict with msgspec and, when that
fails, says where in plain words: msgspec's path `$.categories[0].products[2].price` becomes
'category 1 “Beer & Cider”, product 3 “Bitter”: price must be …, not "abc"'. What a value
must be is said by its rule (the Meta description beside the constraints); that a field is
missing or unknown is found by comparing the object with its Struct's fields. msgspec's
English is not read: it is shown as it is only where the format has no words of its own
for the place (a test sees that every field has a description).

What one value's type cannot say (duplicate PLUs, min no more than max, codes that must exist
in the database) is checked once the file has been decoded, in `cross_checks`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import msgspec
from django.conf import settings
from msgspec import Meta, Struct, field
from msgspec import inspect as schema

from ordering import models
from ordering.money import CENT

MENU_FORMAT = "openapp-menu/1"
MAX_PRICE = Decimal("9999999.99")  # what max_digits=9, decimal_places=2 can hold
MAX_CHOICES = 32767  # PositiveSmallIntegerField
# msgspec searches for a pattern. No text may hold U+0000, which PostgreSQL cannot store;
# what must be filled in has a character that is not a space besides.
NO_NUL = r"\A[^\x00]*\Z"
FILLED_IN = r"\A[^\x00]*[^\s\x00][^\x00]*\Z"


def _max_length(model: type[Any], name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(max_length: int) -> Any:
    """Text that must be filled in, no longer than the database column."""
    return Annotated[
        str,
        Meta(
            min_length=1,
            max_length=max_length,
            pattern=FILLED_IN,
            description=f"filled in (at most {max_length} characters, no NUL character)",
        ),
    ]


class Price(Decimal):
    """An amount of money: a number 0 or more with at most two decimal places, no more than
    the database column holds. In a file it is text ("4.50") or a number (4.5, 4)."""

    DESCRIPTION = "an amount of 0 or more with at most two decimal places (such as 4.50)"

    @classmethod
    def read(cls, raw: object) -> Price:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
            raise TypeError(cls.DESCRIPTION)
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(cls.DESCRIPTION) from None
        if not value.is_finite() or value < 0 or value > MAX_PRICE or value != value.quantize(CENT):
            raise ValueError(cls.DESCRIPTION)
        return cls(value.quantize(CENT))

    @classmethod
    def of(cls, value: Decimal) -> Price:
        return cls(value.quantize(CENT))


Format = Annotated[Literal[MENU_FORMAT], Meta(description=json.dumps(MENU_FORMAT))]
CategoryName = _text(_max_length(models.Category, "name"))
ProductPlu = _text(_max_length(models.Product, "plu"))
ProductName = _text(_max_length(models.Product, "name"))
Description = Annotated[str, Meta(pattern=NO_NUL, description="text (no NUL character)")]
PriceField = Annotated[Price, Meta(description=Price.DESCRIPTION)]
Available = Annotated[bool, Meta(description="true or false")]
TagCode = _text(_max_length(models.DietaryTag, "code"))
AllergenCode = _text(_max_length(models.Allergen, "code"))
TagCodes = Annotated[list[TagCode], Meta(description='a list of codes such as ["vegan"]')]
# Left out (or null): the restaurant has not declared the product's allergens; [] declares none.
AllergenCodes = Annotated[
    list[AllergenCode] | None,
    Meta(description='a list of codes such as ["milk"] ([] for none; left out: not declared)'),
]
VariantIdentifier = _text(_max_length(models.Variant, "pos_identifier"))
VariantName = _text(_max_length(models.Variant, "name"))
GroupName = _text(_max_length(models.ModifierGroup, "name"))
MinChoices = Annotated[
    int, Meta(ge=0, le=MAX_CHOICES, description=f"a whole number from 0 to {MAX_CHOICES}")
]
MaxChoices = Annotated[
    int, Meta(ge=1, le=MAX_CHOICES, description=f"a whole number from 1 to {MAX_CHOICES}")
]
LANGUAGE_CODES = tuple(code for code, _ in settings.LANGUAGES)
LanguageCode = Annotated[
    Literal[LANGUAGE_CODES],  # type: ignore[valid-type]
    Meta(description="one of " + ", ".join(json.dumps(code) for code in LANGUAGE_CODES)),
]
_TRANSLATED_NAME = _max_length(models.ProductTranslation, "name")
TranslatedName = Annotated[
    str,
    Meta(
        max_length=_TRANSLATED_NAME,
        pattern=NO_NUL,
        description=(
            f"text (at most {_TRANSLATED_NAME} characters, no NUL character; "
            "blank: the product's own)"
        ),
    ),
]
ModifierPlu = _text(_max_length(models.Modifier, "plu"))
ModifierName = _text(_max_length(models.Modifier, "name"))


class _Row(Struct, forbid_unknown_fields=True):
    """One object in the file. `noun` is what a message calls it ("product 3 “Burger”")."""

    noun: ClassVar[str]

    def __post_init__(self) -> None:
        # Text is kept without the spaces around it, as a manager would expect.
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str) and value != value.strip():
                setattr(self, name, value.strip())


class Modifier(_Row, kw_only=True):
    noun = "modifier"
    plu: ModifierPlu
    name: ModifierName
    price: PriceField
    available: Available = True


class ModifierGroup(_Row, kw_only=True):
    noun = "modifier group"
    name: GroupName
    min_choices: MinChoices = field(default=0, name="min")
    max_choices: MaxChoices = field(default=1, name="max")
    modifiers: Annotated[
        list[Modifier], Meta(min_length=1, description="a list of at least one modifier")
    ]


class Variant(_Row, kw_only=True):
    noun = "variant"
    pos_identifier: VariantIdentifier
    name: VariantName
    price: PriceField


class Translation(_Row, kw_only=True):
    """The product's name and description in another language (blank: its own)."""

    noun = "translation"
    language: LanguageCode
    name: TranslatedName = ""
    description: Description = ""


class Product(_Row, kw_only=True):
    noun = "product"
    plu: ProductPlu
    name: ProductName
    description: Description = ""
    price: PriceField
    dietary_tags: TagCodes = []
    allergens: AllergenCodes = None
    available: Available = True
    variants: Annotated[list[Variant], Meta(description="a list of variants")] = []
    modifier_groups: Annotated[
        list[ModifierGroup], Meta(description="a list of modifier groups")
    ] = []
    translations: Annotated[
        list[Translation], Meta(description="a list of translations, one per language")
    ] = []


class Category(_Row, kw_only=True):
    noun = "category"
    name: CategoryName
    products: Annotated[list[Product], Meta(description="a list of products")] = []


class Menu(_Row, kw_only=True):
    noun = "menu"
    format: Format
    categories: Annotated[list[Category], Meta(description="a list of categories")]


_MENU_SCHEMA = schema.type_info(Menu)


def _dec_hook(kind: type, raw: Any) -> Any:
    if kind is Price:
        return Price.read(raw)
    raise NotImplementedError(f"no decoder for {kind}")


def _enc_hook(value: Any) -> Any:
    if isinstance(value, Price):
        return str(value)
    raise NotImplementedError(f"no encoder for {type(value)}")


def encode_json(menu: Menu) -> bytes:
    """The menu as a JSON file, two-space indented."""
    return msgspec.json.format(msgspec.json.encode(menu, enc_hook=_enc_hook), indent=2)


def to_builtins(menu: Menu) -> dict[str, Any]:
    return msgspec.to_builtins(menu, enc_hook=_enc_hook)


# What is wrong with a file.

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. `row` is where the object is, as steps from the top
    (("categories", 2, "products", 4) is the fifth product of the third category); `field`
    is the field of that object the problem is in, by its name in the file, if it is one."""

    row: Path
    field: str | None
    text: str

    def detail(self) -> str:
        return f"{self.field} {self.text}" if self.field else self.text

    def message(self, data: Any, skip: int = 0) -> str:
        """'category 3 “Mains”, product 5 “Burger”: price must be …', leaving out the first
        `skip` levels of that."""
        where = locate(self.row, data, skip)
        return f"{where}: {self.detail()}" if where else self.detail()

    def sort_key(self) -> tuple[int, ...]:
        return tuple(step for step in self.row if isinstance(step, int))


class MenuProblems(ValueError):
    """What is wrong with `data`, the file as decoded (dicts and lists) or as Structs."""

    def __init__(self, problems: list[Problem], data: Any) -> None:
        self.problems = problems
        self.data = data
        super().__init__("; ".join(problem.detail() for problem in problems))

    def messages(self) -> list[str]:
        return [problem.message(self.data) for problem in self.problems]


def quote(value: Any) -> str:
    """A value from the file as it was written there, cut short if long."""
    return _shorten(json.dumps(value, ensure_ascii=False, default=str), 60)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def locate(row: Path, data: Any, skip: int = 0) -> str:
    """How a message names a row: 'category 3 “Mains”, product 5 “Burger”'. `data` is the
    file as decoded (dicts and lists) or the Structs; rows without a usable name are named by
    their position alone."""
    parts = []
    node: Any = data
    for key, index in zip(row[::2], row[1::2], strict=True):
        items = _child(node, key)
        node = items[index] if isinstance(items, list) and index < len(items) else None
        name = _child(node, "name")
        noun = _row_type(row[: len(parts) * 2 + 2]).noun
        label = f"{noun} {index + 1}"
        named = isinstance(name, str) and name.strip() and "\x00" not in name
        parts.append(f"{label} “{_shorten(name.strip(), 40)}”" if named else label)
    return ", ".join(parts[skip:])


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, Struct) and isinstance(key, str):
        names = {f.encode_name: f.name for f in msgspec.structs.fields(node)}
        return getattr(node, names.get(key, key), None)
    return None


def _unwrap(node: schema.Type) -> schema.Type:
    return node.type if isinstance(node, schema.Metadata) else node


def _description(node: schema.Type) -> str | None:
    if isinstance(node, schema.Metadata):
        return (node.extra_json_schema or {}).get("description")
    return None


def _schema_at(row: Path) -> schema.StructType:
    """What the format says of the row at these steps."""
    node = _unwrap(_MENU_SCHEMA)
    for step in row:
        if isinstance(node, schema.StructType):
            node = next(f.type for f in node.fields if f.encode_name == step)
        elif isinstance(node, schema.ListType):
            node = node.item_type
        node = _unwrap(node)
    assert isinstance(node, schema.StructType), row
    return node


def _row_type(row: Path) -> Any:
    """The Struct class of the row at these steps."""
    return _schema_at(row).cls


PATH_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")


def _steps(path: str) -> Path:
    """msgspec's path, "$.categories[0].products[2].price", as steps."""
    return tuple(name or int(index) for name, index in PATH_STEP.findall(path.removeprefix("$")))


def problems_from(error: msgspec.ValidationError, data: Any, prefix: Path = ()) -> list[Problem]:
    """What msgspec refused, said in the rules' own words at the place msgspec names.

    msgspec gives its path only inside the message, after the documented " - at `$…`"; the
    English before it is used only where no rule of ours describes the place."""
    message, at, path = str(error).rpartition(" - at `")
    if not (at and path.startswith("$") and path.endswith("`")):
        message, path = str(error), "$"  # msgspec leaves out the path at the top
    steps = prefix + _steps(path.rstrip("`"))
    node: schema.Type = _MENU_SCHEMA
    value: Any = data
    row_length = 0
    field_name: str | None = None
    field_type: schema.Type | None = None
    field_value: Any = None
    for position, step in enumerate(steps):
        inner = _unwrap(node)
        if isinstance(inner, schema.StructType) and isinstance(step, str):
            found = next(f for f in inner.fields if f.encode_name == step)
            node, value = found.type, _child(value, step)
            field_name, field_type, field_value, row_length = step, node, value, position
        elif isinstance(inner, schema.ListType) and isinstance(step, int):
            node = inner.item_type
            value = value[step] if isinstance(value, list) and step < len(value) else None
            if isinstance(_unwrap(node), schema.StructType):
                field_name = field_type = field_value = None
                row_length = position + 1
        else:  # not a path into the format: say what msgspec said
            return [Problem(steps[:row_length], None, message)]
    row = steps[:row_length]
    if field_name is not None and field_type is not None:
        description = _description(field_type)
        if description is None:
            return [Problem(row, field_name, message)]
        return [Problem(row, field_name, f"must be {description}, not {quote(field_value)}")]
    node = _unwrap(node)
    if not isinstance(node, schema.StructType):
        return [Problem(row, None, message)]
    return _object_problems(row, node, value) or [Problem(row, None, message)]


def _object_problems(row: Path, node: schema.StructType, value: Any) -> list[Problem]:
    """What is wrong with an object as a whole: not an object, a field missing, or one the
    format does not have."""
    if not isinstance(value, dict):
        what = "the menu must be an object" if not row else "must be an object"
        return [Problem(row, None, f"{what}, not {quote(value)}")]
    names = [f.encode_name for f in node.fields]
    found = [Problem(row, f.encode_name, "is missing") for f in node.fields if f.required]
    found = [problem for problem in found if problem.field not in value]
    found += [
        Problem(row, None, f"unknown field {quote(key)}") for key in value if key not in names
    ]
    return found


# Reading a file.


def read_menu(data: Any, known_tags: Iterable[str], known_allergens: Iterable[str]) -> Menu:
    """The menu in `data` (what json.loads gives), or MenuProblems listing what is wrong."""
    try:
        menu = msgspec.convert(data, Menu, dec_hook=_dec_hook)
    except msgspec.ValidationError:
        raise MenuProblems(_every_problem(data, known_tags, known_allergens), data) from None
    return _checked(menu, known_tags, known_allergens)


def read_menu_json(
    content: bytes | str, known_tags: Iterable[str], known_allergens: Iterable[str]
) -> Menu:
    """The menu in a JSON file; msgspec.DecodeError if it is not JSON at all."""
    try:
        menu = msgspec.json.decode(content, type=Menu, dec_hook=_dec_hook)
    except msgspec.ValidationError:
        data = msgspec.json.decode(content)
        raise MenuProblems(_every_problem(data, known_tags, known_allergens), data) from None
    return _checked(menu, known_tags, known_allergens)


def _checked(menu: Menu, known_tags: Iterable[str], known_allergens: Iterable[str]) -> Menu:
    problems = cross_checks(menu, set(known_tags), set(known_allergens))
    if problems:
        raise MenuProblems(problems, menu)
    return menu


def _every_problem(
    data: Any, known_tags: Iterable[str], known_allergens: Iterable[str]
) -> list[Problem]:
    """msgspec stops at the first problem. To list them all, what did not decode is decoded
    again field by field and row by row; what does decode is checked by the cross checks."""
    problems: list[Problem] = []
    partial = _decode_parts(data, Menu, (), data, problems)
    if isinstance(partial, Struct | dict):
        problems += cross_checks(partial, set(known_tags), set(known_allergens))
    return sorted(problems, key=Problem.sort_key)


_FAILED = object()


def _decode_parts(raw: Any, kind: Any, steps: Path, data: Any, problems: list[Problem]) -> Any:
    """`raw` decoded as `kind`; where that fails, a Struct's fields and a list's rows are
    decoded one by one, so that each problem is found. What is returned is the Struct, or for
    a row that did not decode a dict of the fields that did (by attribute name), or for a
    list the rows; `_FAILED` stands for a value that did not decode."""
    try:
        return msgspec.convert(raw, kind, dec_hook=_dec_hook)
    except msgspec.ValidationError as error:
        first = error
    found: list[Problem] = []
    inner = _bare(kind)
    result: Any = _FAILED
    if isinstance(inner, type) and issubclass(inner, Struct) and isinstance(raw, dict):
        result = {}
        found += _object_problems(steps, _schema_at(steps), raw)
        for info in msgspec.structs.fields(inner):
            if info.encode_name in raw:
                here = (*steps, info.encode_name)
                value = _decode_parts(raw[info.encode_name], info.type, here, data, found)
                if value is not _FAILED:
                    result[info.name] = value
    elif get_origin(inner) is list and isinstance(raw, list):
        (item,) = get_args(inner)
        if isinstance(_bare(item), type) and issubclass(_bare(item), Struct):
            result = [
                _decode_parts(row, item, (*steps, i), data, found) for i, row in enumerate(raw)
            ]
    if not found:  # nothing smaller is wrong: the problem is with the whole
        result = _FAILED
        found = problems_from(first, data, steps)
    problems += found
    return result


def _bare(kind: Any) -> Any:
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    return kind


def _get(row: Any, name: str) -> Any:
    """A field of a decoded row, or of the dict of a row's fields that did decode."""
    if isinstance(row, dict):
        return row.get(name)
    return getattr(row, name, None)


# The rules that span more than one value, each written once.


def cross_checks(menu: Any, known_tags: set[str], known_allergens: set[str]) -> list[Problem]:
    """Problems a value's type cannot see. `menu` is a Menu, or when some of it did not
    decode what `_decode_parts` made of it: a check needing a value that did not decode is
    left out."""
    problems: list[Problem] = []
    category_names: dict[str, Path] = {}
    product_plus: dict[str, Path] = {}
    for i, category in _rows(menu, "categories"):
        row: Path = ("categories", i)
        name = _get(category, "name")
        if name in category_names:
            also = locate(category_names[name], menu)
            problems.append(Problem(row, None, f"duplicate category name (also {also})"))
        elif name is not None:
            category_names[name] = row
        for j, product in _rows(category, "products"):
            here = (*row, "products", j)
            plu = _get(product, "plu")
            if plu in product_plus:
                also = locate(product_plus[plu], menu)
                problems.append(Problem(here, None, f"duplicate PLU {quote(plu)} (also {also})"))
            elif plu is not None:
                product_plus[plu] = here
            problems += _product_checks(here, product, known_tags, known_allergens)
    return problems


def _product_checks(
    row: Path, product: Any, known_tags: set[str], known_allergens: set[str]
) -> Iterator[Problem]:
    for code in _get(product, "dietary_tags") or []:
        if code not in known_tags:
            yield Problem(row, None, f"unknown dietary tag {quote(code)}")
    for code in _get(product, "allergens") or []:
        if code not in known_allergens:
            yield Problem(row, None, f"unknown allergen {quote(code)}")
    variants = [_get(v, "pos_identifier") for _, v in _rows(product, "variants")]
    yield from _duplicates(row, variants, "variant identifier")
    languages = [_get(t, "language") for _, t in _rows(product, "translations")]
    yield from _duplicates(row, languages, "translation language")
    groups = _rows(product, "modifier_groups")
    yield from _duplicates(row, [_get(g, "name") for _, g in groups], "modifier group")
    for k, group in groups:
        here = (*row, "modifier_groups", k)
        low, high = _get(group, "min_choices"), _get(group, "max_choices")
        modifiers = _get(group, "modifiers")
        if low is not None and high is not None and low > high:
            yield Problem(here, None, f"min {low} is more than max {high}")
        elif low is not None and isinstance(modifiers, list) and low > len(modifiers):
            yield Problem(
                here, None, f"min {low} but only {len(modifiers)} modifiers to choose from"
            )
        yield from _duplicates(
            here, [_get(m, "plu") for _, m in _rows(group, "modifiers")], "modifier PLU"
        )


def _rows(parent: Any, name: str) -> list[tuple[int, Any]]:
    """The rows of one of a row's lists that did decode, with their positions."""
    rows = _get(parent, name)
    if not isinstance(rows, list):
        return []
    return [(index, row) for index, row in enumerate(rows) if row is not _FAILED]


def _duplicates(row: Path, values: list[Any], what: str) -> Iterator[Problem]:
    for value, count in Counter(v for v in values if v is not None).items():
        if count > 1:
            yield Problem(row, None, f"duplicate {what} {quote(value)}")

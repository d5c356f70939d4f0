"""The POS's product identifiers (PLUs and sales modifier identifiers): what a good one
looks like, and which ones the POS has already reported for a location.

The POS reports identifiers in two places OpenApp keeps: the lines of the checks it sent
(each line's PLU and SalesModifierIdentifier, and its child products' PLUs, stored on
TableCheck.state) and the orders it accepted (what those batches sent). An identifier seen
there exists on that POS; one not seen yet may be a new product, or a typing mistake.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from ordering.checks import CheckState
from ordering.models import BatchLine, BatchState, TableCheck

PLAIN_CODE = re.compile(r"^[A-Za-z0-9-]+$")
FORMAT_HELP = "a UUID or a plain code of letters, digits and dashes"


def is_identifier(value: str) -> bool:
    """A UUID (any of its usual spellings) or a plain code: letters, digits, dashes."""
    if PLAIN_CODE.match(value):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def identifier_problem(value: str) -> str:
    """Why `value` is not an identifier ("" if it is one)."""
    if is_identifier(value):
        return ""
    return f"{value!r} is not a POS identifier: use {FORMAT_HELP} (no spaces)."


@dataclass
class Reported:
    """Identifiers the POS has reported at a location, each with a name it gave."""

    plus: dict[str, str] = field(default_factory=dict)
    modifiers: dict[str, str] = field(default_factory=dict)  # SalesModifierIdentifiers

    def add_plu(self, plu: str, name: str) -> None:
        if plu:
            self.plus.setdefault(plu, name)

    def add_modifier(self, identifier: str, name: str) -> None:
        if identifier:
            self.modifiers.setdefault(identifier, name)


# How many stored checks and accepted lines are read: the recent ones carry today's menu.
CHECKS_READ = 500
LINES_READ = 5000


def reported_identifiers(location_id: int) -> Reported:
    reported = Reported()
    checks = (
        TableCheck.objects.filter(session__table__location_id=location_id, state__isnull=False)
        .order_by("-updated_at")
        .values_list("state", flat=True)[:CHECKS_READ]
    )
    for data in checks:
        try:
            state = CheckState.from_json(data)
        except Exception:  # a check stored by an older version: skip it
            continue
        for line in state.lines:
            reported.add_plu(line.plu, line.name)
            reported.add_modifier(line.sales_modifier, line.variant)
            for plu, name in line.child_plus.items():
                reported.add_plu(plu, name)
    lines = (
        BatchLine.objects.filter(
            batch__session__table__location_id=location_id, batch__state=BatchState.ACCEPTED
        )
        .order_by("-batch__answered_at")
        .values_list("plu", "name", "variant_identifier", "variant_name", "modifiers")[:LINES_READ]
    )
    for plu, name, variant, variant_name, modifiers in lines:
        reported.add_plu(plu, name)
        reported.add_modifier(variant, variant_name)
        for modifier in modifiers or []:
            if isinstance(modifier, dict):
                reported.add_plu(str(modifier.get("plu") or ""), str(modifier.get("name") or ""))
    return reported

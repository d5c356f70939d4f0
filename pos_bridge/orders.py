"""OrderSubmissionRequested / OrderSubmissionResult: a batch to CreateOrder and back (§4)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from ordering.batches import LineRejection
from ordering.models import Batch, BatchLine
from ordering.money import money
from pos_bridge import protocol
from pos_bridge.reasons import product_reason, reason_for

ZERO = Decimal("0")


def _child_id(parent: uuid.UUID, what: str) -> str:
    # Derived, not random, so every resend of a batch carries the same identifiers.
    return str(uuid.uuid5(parent, what))


def create_order_request(batch: Batch, lines: list[BatchLine]) -> protocol.CreateOrderRequest:
    """The CreateOrder payload for one batch. Postpaid: Payments is always empty."""
    table = batch.session.table
    location = table.location
    priced = not batch.use_pos_prices

    def price(value: Decimal) -> Decimal:
        return money(value) if priced else ZERO

    products = []
    for line in lines:
        children = []
        modifiers_total = ZERO
        for modifier in line.modifiers:
            modifier_price = Decimal(modifier["price"])
            modifiers_total += modifier_price
            children.append(
                protocol.Product(
                    provider_product_id=modifier["provider_product_id"],
                    product_type=protocol.ProductType.PRODUCT,
                    plu_identifier=modifier["plu"],
                    sales_modifier_identifier=None,
                    name=modifier["name"],
                    sales_modifier_name=None,
                    quantity=1,
                    price=price(modifier_price),
                    total_amount=price(modifier_price * line.quantity),
                )
            )
        if line.instruction:
            children.append(
                protocol.Product(
                    provider_product_id=_child_id(line.provider_product_id, "instruction"),
                    product_type=protocol.ProductType.INSTRUCTION,
                    plu_identifier=None,
                    sales_modifier_identifier=None,
                    name=line.instruction,
                    sales_modifier_name=None,
                    quantity=0,
                    price=ZERO,
                    total_amount=ZERO,
                )
            )
        base_price = line.unit_price - modifiers_total
        products.append(
            protocol.Product(
                provider_product_id=str(line.provider_product_id),
                product_type=protocol.ProductType.PRODUCT,
                plu_identifier=line.plu,
                sales_modifier_identifier=line.variant_identifier or None,
                name=line.name,
                sales_modifier_name=line.variant_name or None,
                quantity=line.quantity,
                price=price(base_price),
                total_amount=price(base_price * line.quantity),
                child_products=children,
                adjustment=None,
            )
        )
    notes = []
    if batch.note:
        notes.append(
            protocol.Note(provider_note_id=_child_id(batch.id, "note"), message=batch.note)
        )
    return protocol.CreateOrderRequest(
        provider_order_id=str(batch.id),
        is_training=batch.is_training,
        service_mode_id=location.table_service_mode_id,
        service_mode_entity_id=table.pos_table_id,
        service_charge_amount=None,
        use_provider_prices=priced,
        products=products,
        payments=[],
        adjustments=[],
        notes=notes,
    )


def _identifiers(line: BatchLine) -> dict[str, tuple[BatchLine, str | None]]:
    """Every identifier the POS may use for a line or its modifiers → (line, modifier name)."""
    ids: dict[str, tuple[BatchLine, str | None]] = {
        str(line.provider_product_id): (line, None),
        line.plu: (line, None),
    }
    for modifier in line.modifiers:
        ids.setdefault(modifier["provider_product_id"], (line, modifier["name"]))
        ids.setdefault(modifier["plu"], (line, modifier["name"]))
    return ids


def line_rejections(
    result_code: int, payload: object, lines: list[BatchLine]
) -> list[LineRejection]:
    """Which of the batch's lines the POS refused, and why.

    Seed quirks (§4): a rejected product may be named by its ProviderProductID or its PLU,
    and OutOfStockProducts[].PLUIdentifier may hold the ProviderProductID.
    """
    lookup: dict[str, tuple[BatchLine, str | None]] = {}
    for line in reversed(lines):  # the first line wins when two share a PLU
        lookup.update(_identifiers(line))
    found: dict[int, LineRejection] = {}
    if not isinstance(payload, protocol.CreateOrderResponse):
        return []
    for rejected in payload.rejected_products or []:
        match = lookup.get(rejected.provider_product_id or "") or lookup.get(
            rejected.plu_identifier or ""
        )
        if match:
            line, item_name = match
            found.setdefault(
                line.pk,
                LineRejection(
                    batch_line_id=line.pk,
                    reason=product_reason(result_code, rejected.reason, rejected.available),
                    available=rejected.available,
                    current_price=rejected.current_price,
                    item_name=item_name,
                ),
            )
    for problem in payload.out_of_stock_products or []:
        match = lookup.get(problem.plu_identifier or "")
        if match and match[0].pk not in found:
            line, item_name = match
            found[line.pk] = LineRejection(
                batch_line_id=line.pk,
                reason=product_reason(result_code, None, None),
                item_name=item_name,
            )
    return list(found.values())


def batch_reason(result_code: int) -> str:
    return reason_for(result_code)

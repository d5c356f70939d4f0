"""The simulated POS: a WebSocket server speaking docs/pos-protocol.md from the POS side.

All state lives on the server's event loop and changes only in synchronous steps, so a
response and the pushes a change causes are queued in the order the changes happened;
each connection's writer then sends its queue in that order.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from . import console_page, messages
from .auth import bearer_matches
from .catalog import Catalog
from .chaos import Chaos, Drop, abort
from .checks import Check, Discount, Line, Table
from .console import ConsoleHub, is_console, refusal
from .messages import (
    SEED_SERVICE_MODE_ID,
    ChangeType,
    Dropped,
    Incoming,
    Invalid,
    LineSource,
    LineStatus,
    MessageType,
    ResultCode,
)
from .orders import Rejected, plan, take
from .wire import MAX_FRAME_BYTES as PROTOCOL_FRAME_BYTES
from .wire import dumps

log = logging.getLogger(__name__)

DEFAULT_TABLES = frozenset(str(number) for number in range(1, 21))
IDEMPOTENCY_SECONDS = 3600.0
UNAUTHORIZED_CLOSE_CODE = 4401
# Frames above the protocol's 1 MiB are dropped unread; only far larger ones make the
# websockets library close the connection.
MAX_FRAME_BYTES = 4 * PROTOCOL_FRAME_BYTES
# A peer that never answers the closing handshake must not hold up stop() for long.
CLOSE_TIMEOUT_SECONDS = 2.0


@dataclass(eq=False)
class _Session:
    connection: ServerConnection
    outbox: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    tables: set[str] = field(default_factory=set)
    dropped: bool = False  # by chaos: nothing more goes out on it


class PosSimulator:
    def __init__(
        self,
        menu_path: str | Path | None = None,
        stock: Mapping[str, int | None] | None = None,
        tables: Collection[str] | None = None,
        token: str | None = None,
        snapshots_supported: bool = True,
        console_token: str | None = None,
        currency: str = "GBP",
        service_mode_id: str = SEED_SERVICE_MODE_ID,
        answer_delay: float = 0.0,
        ignore_orders: bool = False,
        chaos: Chaos | None = None,
    ) -> None:
        self.catalog = Catalog.load(menu_path)
        for identifier, quantity in (stock or {}).items():
            try:
                self.catalog.set_stock(identifier, quantity)
            except KeyError as error:
                raise ValueError(f"stock for {identifier!r}, which is not on the menu") from error
        self.tables = {
            str(t): Table(str(t)) for t in (DEFAULT_TABLES if tables is None else tables)
        }
        self.token = token
        # Given, the staff console answers any Host that brings it (?token=…); else only
        # this machine's own addresses.
        self.console_token = console_token
        self.snapshots_supported = snapshots_supported
        self.currency = currency
        # The location's table service mode: requests naming another one are refused.
        if not isinstance(service_mode_id, str) or not service_mode_id:
            raise ValueError("the service mode id must be non-empty text")
        self.service_mode_id = service_mode_id
        # A slow POS (takes the order at once, answers late) and one that never answers
        # orders, for showing the diner "sent" and "failed"; both can change while running.
        self.answer_delay = answer_delay
        self.ignore_orders = ignore_orders
        # Drops protocol connections at random moments (tests of the bridge's recovery).
        self.chaos = chaos
        self.clock = time.monotonic
        self._subscribers: dict[str, set[_Session]] = {}
        self._answers: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._order_numbers = itertools.count(1)
        self._server: Server | None = None
        self._url: str | None = None
        self._console_url: str | None = None
        self._consoles = ConsoleHub(self)

    # Lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        console_page.page()  # a missing page fails here, not on the first visit
        self._server = await serve(
            self._serve,
            host,
            port,
            process_request=self._process_request,
            ping_interval=20,
            ping_timeout=10,
            close_timeout=CLOSE_TIMEOUT_SECONDS,
            max_size=MAX_FRAME_BYTES,
        )
        bound_host, bound_port = self._server.sockets[0].getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self._url = f"ws://{shown}:{bound_port}"
        self._console_url = f"http://{shown}:{bound_port}/"
        log.info("POS simulator listening on %s", self._url)
        log.info("POS simulator staff console at %s", self._console_url)

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the POS simulator is not started")
        return self._url

    @property
    def console_url(self) -> str:
        """The staff console's page; with a token, add ?token=... to it."""
        if self._console_url is None:
            raise RuntimeError("the POS simulator is not started")
        return self._console_url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # Inspection (call on the simulator's loop)

    def version(self, table: str) -> int:
        return self._table(table).version

    def order(self, table: str) -> messages.Order | None:
        check = self._table(table).check
        return check.order() if check else None

    def subscriber_count(self, table: str) -> int:
        return len(self._subscribers.get(table, ()))

    # Staff actions

    async def add_items(self, table: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        """A waiter rings items up; returns the new LineIDs."""
        state = self._table(table)
        products = [_staff_product(item) for item in items]
        if not products:
            raise ValueError("no items to add")
        try:
            planned = plan(self.catalog, products, provider_prices=False)
        except Rejected as rejected:
            raise ValueError(rejected.message) from None
        check = state.check or self._open_check(state, owner=None)
        lines = take(
            check, planned, provider_prices=False, source=LineSource.POS, provider_order_id=None
        )
        line_ids = [line.line_id for line in lines]
        self._changed(state, ChangeType.ITEMS_ADDED, line_ids)
        return line_ids

    async def cancel_lines(self, table: str, line_ids: Sequence[str]) -> int:
        state = self._table(table)
        lines = _lines(state.open_check(), line_ids)
        if any(line.cancelled for line in lines):
            raise ValueError("a line is already cancelled")
        for line in lines:
            line.status = LineStatus.CANCELLED
        return self._changed(state, ChangeType.ITEMS_CANCELLED, [line.line_id for line in lines])

    async def deliver_lines(self, table: str, line_ids: Sequence[str]) -> int:
        state = self._table(table)
        lines = _lines(state.open_check(), line_ids)
        if any(line.status != LineStatus.ORDERED for line in lines):
            raise ValueError("only ordered lines can be delivered")
        for line in lines:
            line.status = LineStatus.DELIVERED
        return self._changed(state, ChangeType.ITEMS_DELIVERED, [line.line_id for line in lines])

    async def remove_lines(self, table: str, line_ids: Sequence[str]) -> int:
        state = self._table(table)
        check = state.open_check()
        removed = _lines(check, line_ids)
        check.lines = [line for line in check.lines if line not in removed]
        return self._changed(state, ChangeType.LINES_REMOVED, [line.line_id for line in removed])

    async def apply_discount(
        self,
        table: str,
        name: str,
        percent: Decimal | str | int | None = None,
        amount: Decimal | str | int | None = None,
    ) -> int:
        """A percentage off the check's subtotal, or an amount off the check."""
        if (percent is None) == (amount is None):
            raise ValueError("give either percent or amount")
        value = Decimal(str(percent if percent is not None else amount))
        if not value.is_finite() or value <= 0 or (percent is not None and value > 100):
            raise ValueError("a discount is a positive amount or a percentage up to 100")
        state = self._table(table)
        discount = Discount(str(uuid.uuid4()), name)
        if percent is not None:
            discount.percent = value
        else:
            discount.amount = value
        state.open_check().discounts.append(discount)
        return self._changed(state, ChangeType.DISCOUNT_APPLIED, [])

    async def close_order(self, table: str) -> int:
        state = self._table(table)
        state.open_check().is_closed = True
        version = self._changed(state, ChangeType.ORDER_CLOSED, [])
        state.check, state.closed = None, True
        # The stream ends with ORDER_CLOSED; a new snapshot request opens a new one.
        for session in self._subscribers.pop(table, set()):
            session.tables.discard(table)
        return version

    async def set_stock(self, identifier: str, quantity: int | None) -> None:
        self.catalog.set_stock(identifier, quantity)
        self._consoles.changed()

    async def set_price(self, identifier: str, price: Decimal | str) -> None:
        self.catalog.set_price(identifier, price)
        self._consoles.changed()

    async def delist(self, identifier: str) -> None:
        self.catalog.delist(identifier)
        self._consoles.changed()

    async def relist(self, identifier: str) -> None:
        self.catalog.relist(identifier)
        self._consoles.changed()

    # Connections

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Plain HTTP gets the staff console's page; WebSocket handshakes go on to _serve."""
        if console_page.is_websocket_handshake(request):
            return None
        return console_page.respond(request, self.token, self.console_token)

    async def _serve(self, connection: ServerConnection) -> None:
        request = connection.request
        if request is not None and is_console(request.path):
            refused = refusal(request, self.token, self.console_token)
            if refused is not None:
                log.warning("refusing a staff console: %s", refused[1])
                await connection.close(*refused)
                return
            await self._consoles.serve(connection)
            return
        if self.token is not None and not self._authorized(connection):
            log.warning("refusing a connection without the right bearer token")
            await connection.close(UNAUTHORIZED_CLOSE_CODE, "unauthorized")
            return
        session = _Session(connection)
        writer = asyncio.create_task(self._write(session))
        try:
            async for frame in connection:
                try:
                    self._receive(session, frame)
                except Exception:
                    log.exception("the POS simulator failed on a frame; dropping it")
        except ConnectionClosed:
            pass
        finally:
            for table in session.tables:
                self._subscribers.get(table, set()).discard(session)
            if session.tables:
                self._consoles.changed()
            writer.cancel()

    def _authorized(self, connection: ServerConnection) -> bool:
        given = connection.request.headers.get("Authorization", "") if connection.request else ""
        return self.token is not None and bearer_matches(given, self.token)

    async def _write(self, session: _Session) -> None:
        while True:
            text = await session.outbox.get()
            try:
                await session.connection.send(text)
            except ConnectionClosed:
                return

    def _receive(self, session: _Session, frame: str | bytes) -> None:
        try:
            request = messages.incoming(frame)
        except Dropped as error:
            log.warning("dropping a frame that is not a protocol request: %s", error)
            return
        if self._chaos_drops(session, Drop.BEFORE_REQUEST):
            return
        if request.problem is not None:
            message = f"Invalid request: {request.problem}"
            self._send(session, _failure(request, ResultCode.INVALID_REQUEST, message))
        elif request.message_type == MessageType.CREATE_ORDER:
            if self.ignore_orders:
                log.info("ignoring CreateOrder %s (ignore_orders is on)", request.request_id)
                return
            answer = self._create_order(request)
            if self._chaos_drops(session, Drop.BEFORE_ANSWER):
                return
            if self.answer_delay > 0:
                loop = asyncio.get_running_loop()
                loop.call_later(self.answer_delay, self._send_text, session, answer)
            else:
                self._send_text(session, answer)
        elif request.message_type == MessageType.TABLE_SNAPSHOT and self.snapshots_supported:
            self._send(session, self._snapshot(session, request))
        else:
            message = f"MessageType {request.message_type} is not supported"
            self._send(session, _failure(request, ResultCode.UNSUPPORTED, message))

    def _send(self, session: _Session, envelope: messages.Response) -> None:
        self._send_text(session, dumps(envelope))

    def _send_text(self, session: _Session, text: str) -> None:
        if not session.dropped:
            session.outbox.put_nowait(text)

    def _chaos_drops(self, session: _Session, kind: Drop) -> bool:
        """Whether chaos drops this protocol connection now (it then aborts it)."""
        if session.dropped:
            return True
        if self.chaos is None or not self.chaos.strikes(kind):
            return False
        log.info("chaos: dropping a connection (%s)", kind)
        session.dropped = True
        abort(session.connection)
        return True

    # Requests

    def _create_order(self, request: Incoming) -> str:
        """The response text; a resent RequestID gets the first answer again."""
        now = self.clock()
        while self._answers and next(iter(self._answers.values()))[0] < now - IDEMPOTENCY_SECONDS:
            self._answers.popitem(last=False)
        if request.request_id in self._answers:
            log.info("RequestID %s seen before; answering as the first time", request.request_id)
            return self._answers[request.request_id][1]
        text = dumps(self._take_order(request))
        self._answers[request.request_id] = (now, text)
        return text

    def _refused(self, request: Incoming, error: Invalid) -> messages.Response:
        log.warning("refusing request %s: %s", request.request_id, error.message)
        return _failure(request, ResultCode.INVALID_REQUEST, error.message)

    def _check_service_mode(self, service_mode_id: str) -> None:
        if service_mode_id != self.service_mode_id:
            raise Invalid(
                f"Invalid request: ServiceModeID {service_mode_id!r} is not this POS's table "
                f"service mode (expected {self.service_mode_id!r}) - at `$.Payload.ServiceModeID`"
            )

    def _take_order(self, request: Incoming) -> messages.Response:
        try:
            frame = messages.read_create_order(request)
            self._check_service_mode(frame.payload.service_mode_id)
        except Invalid as error:
            return self._refused(request, error)
        payload = frame.payload
        try:
            state = self.tables.get(payload.service_mode_entity_id)
            if state is None:
                entity = payload.service_mode_entity_id
                raise Rejected(ResultCode.TABLE_NOT_FOUND, f"Table {entity} was not found.")
            if state.closed:
                message = f"The check for table {state.entity_id} is closed."
                raise Rejected(ResultCode.ORDER_CLOSED, message)
            provider_prices = payload.use_provider_prices or bool(payload.payments)
            planned = plan(self.catalog, payload.products, provider_prices)
        except Rejected as rejected:
            return messages.Response(
                request_id=request.request_id,
                result_code=rejected.code,
                error_message=rejected.message,
                message_type=MessageType.CREATE_ORDER,
                payload=rejected.payload,
            )
        owner = frame.user_identifier or None
        check = state.check or self._open_check(state, owner)
        check.owner_user_id = check.owner_user_id or owner
        lines = take(
            check,
            planned,
            provider_prices=provider_prices,
            source=LineSource.OPENAPP,
            provider_order_id=payload.provider_order_id,
        )
        check.notes += payload.notes
        check.payments += payload.payments
        check.provider_adjustments += payload.adjustments
        if payload.service_charge_amount is not None:
            check.service_charge = payload.service_charge_amount
        version = self._changed(state, ChangeType.ITEMS_ADDED, [line.line_id for line in lines])
        return messages.Response(
            request_id=request.request_id,
            result_code=ResultCode.SUCCESS,
            error_message=None,
            message_type=MessageType.CREATE_ORDER,
            payload=messages.CreateOrderResponse(
                order=check.order(), out_of_stock_products=None, version=version
            ),
        )

    def _snapshot(self, session: _Session, request: Incoming) -> messages.Response:
        try:
            frame = messages.read_snapshot(request)
            self._check_service_mode(frame.payload.service_mode_id)
        except Invalid as error:
            return self._refused(request, error)
        entity = frame.payload.service_mode_entity_id
        state = self.tables.get(entity)
        if state is None:
            message = f"Table {entity} was not found."
            return _failure(request, ResultCode.TABLE_NOT_FOUND, message)
        if state.closed:
            # A new session on a table whose check was closed: it takes orders again.
            state.closed = False
            state.bump()
        self._subscribers.setdefault(entity, set()).add(session)
        session.tables.add(entity)
        self._consoles.changed()
        return messages.Response(
            request_id=request.request_id,
            result_code=ResultCode.SUCCESS,
            error_message=None,
            message_type=MessageType.TABLE_SNAPSHOT,
            payload=messages.SnapshotResult(
                service_mode_entity_id=entity,
                version=state.version,
                order=state.check.order() if state.check else None,
            ),
        )

    # State changes

    def _table(self, table: str) -> Table:
        try:
            return self.tables[table]
        except KeyError:
            raise KeyError(f"table {table!r} is not on this POS") from None

    def _open_check(self, state: Table, owner: str | None) -> Check:
        state.closed = False
        state.check = Check(
            entity_id=state.entity_id,
            sales_transaction_id=str(uuid.uuid4()),
            order_number=f"PSVR{next(self._order_numbers):04d}",
            owner_user_id=owner,
            currency=self.currency,
        )
        return state.check

    def _changed(self, state: Table, change: ChangeType, line_ids: list[str]) -> int:
        version = state.bump()
        self._consoles.changed()
        subscribers = self._subscribers.get(state.entity_id)
        if subscribers:
            push = messages.Push(
                event_id=str(uuid.uuid4()),
                message_type=MessageType.TABLE_SNAPSHOT_CHANGED,
                payload=messages.SnapshotChanged(
                    service_mode_entity_id=state.entity_id,
                    version=version,
                    change_type=change,
                    line_ids=line_ids,
                    order=state.check.order() if state.check else None,
                ),
            )
            text = dumps(push)
            for session in list(subscribers):
                if not self._chaos_drops(session, Drop.MID_STREAM):
                    self._send_text(session, text)
        return version


def _failure(request: Incoming, code: ResultCode, message: str) -> messages.Response:
    return messages.Response(
        request_id=request.request_id,
        result_code=code,
        error_message=message,
        message_type=request.message_type,
        payload=None,
    )


def _lines(check: Check, line_ids: Sequence[str]) -> list[Line]:
    if not line_ids:
        raise ValueError("no LineIDs given")
    return [check.line(line_id) for line_id in dict.fromkeys(line_ids)]


def _staff_product(item: Mapping[str, Any]) -> messages.Product:
    plu, quantity = item.get("plu"), item.get("quantity", 1)
    if not isinstance(plu, str) or not plu:
        raise ValueError(f"an item needs a PLU: {item!r}")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValueError(f"an item's quantity must be a whole number of at least 1: {item!r}")
    modifiers = item.get("modifiers") or []
    return messages.Product(
        plu_identifier=plu,
        sales_modifier_identifier=item.get("variant"),
        quantity=quantity,
        child_products=[messages.Product(plu_identifier=m, quantity=1) for m in modifiers],
    )

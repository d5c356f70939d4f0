"""Scenario 3: a batch's round trip. Diners add an item and press Send to kitchen, 20
batches a second; from the send POST leaving the phone to "Your order is in" arriving on
that phone's WebSocket (the POS simulator answers at once)."""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import time

from bench.pages import load
from bench.phones import Phone, PhonePool, seat, wait_first_messages
from bench.report import CpuWindow, Report, cpu_line, percentiles
from bench.stack import Stack

GOAL_P99_MS = 150.0
GOAL_CPU_MS = 25.0  # the product's CPU per batch, all its processes
GOAL_MAX_MS = 1000.0
ACCEPTED = "Your order is in"
# The basket's answer when the product turns a Send down (a limit, the bill closed).
REFUSED = re.compile(r'<p class="notice notice-error" role="alert">([^<]*)</p>')
ANSWER_SECONDS = 10.0
PRODUCT_LINK = r'products/(\d+)/">\s*(?:<img[^>]*>\s*)?<span class="product-name">{name}<'
ITEM = "Garlic Bread"


async def product_id(phone: Phone, name: str) -> int:
    async with phone.http.get(phone.page_base) as reply:
        html = await reply.text()
    found = re.search(PRODUCT_LINK.format(name=re.escape(name)), html)
    if found is None:
        raise RuntimeError(f"no {name} on the menu page")
    return int(found.group(1))


async def run(args: argparse.Namespace, report: Report) -> None:
    rate = args.rate or 20.0
    seconds = args.seconds or (5.0 if args.quick else 60.0)
    count = round(rate * seconds)
    phone_count = max(10, round(rate))  # issue 17: 20 a second from 20 tables, each every second
    tables = [str(n) for n in range(1, phone_count + 1)]
    report.say(f"load: {phone_count} phones (one per table), {rate:g} batches/s for {seconds:g} s")
    async with Stack(args.shape, tables=len(tables)) as stack, PhonePool() as pool:
        phones = await seat(pool, stack.base_urls, stack.tokens, tables, 1, "basket")
        await stack.wait_subscribed(tables)
        await wait_first_messages(phones)
        item = await product_id(phones[0], ITEM)
        waiting: dict[Phone, asyncio.Future[float]] = {}

        def listener(phone: Phone, arrived: float, text: str) -> None:
            future = waiting.get(phone)
            if future is not None and not future.done() and ACCEPTED in text:
                future.set_result(arrived)

        for phone in phones:
            phone.listener = listener
        round_trips: list[float] = []
        posts: list[float] = []
        failures: list[str] = []

        async def one_batch(phone: Phone) -> None:
            try:
                await add_and_send(phone)
            finally:
                in_flight.discard(phone)

        async def add_and_send(phone: Phone) -> None:
            status, _ = await phone.post(f"products/{item}/", {"quantity": "1"}, htmx=False)
            if status != 302:
                failures.append(f"add answered {status}")
                return
            waiting[phone] = asyncio.get_running_loop().create_future()
            sent = time.perf_counter()
            status, took = await phone.post("basket/send", {"note": ""})
            posts.append(took * 1000)
            if status != 200:
                failures.append(f"send answered {status}")
                return
            if refused := REFUSED.search(phone.last_answer):
                failures.append(f"send refused: {html.unescape(refused.group(1))}")
                return
            try:
                arrived = await asyncio.wait_for(waiting[phone], ANSWER_SECONDS)
            except TimeoutError:
                failures.append("no accepted note within 10 s")
                return
            finally:
                waiting.pop(phone, None)
            round_trips.append((arrived - sent) * 1000)

        pids = stack.pids()
        window = CpuWindow(pids)
        profiling = stack.profile("batch", seconds) if args.profile else []
        in_flight: set[Phone] = set()
        tasks: list[asyncio.Task[None]] = []
        started = time.perf_counter()
        skipped = 0
        for i in range(count):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            phone = phones[i % len(phones)]
            if phone in in_flight:
                skipped += 1
                continue
            in_flight.add(phone)
            tasks.append(asyncio.create_task(one_batch(phone)))
        await asyncio.wait_for(asyncio.gather(*tasks), ANSWER_SECONDS + 30)
        cpu = window.stop()
        for run_ in profiling:
            run_.wait(30)
        # The bare reference, on the same processes: a batch is two requests (add, send)
        # and a push, so it is set against two requests of the bare view.
        bare = await load(phones[:20], "/bench/bare", 2.0 if args.quick else 5.0, pids)
    stats = percentiles(round_trips)
    report.say(
        f"send → accepted on the phone: p50 {stats['p50']:.1f} ms  p99 {stats['p99']:.1f} ms  "
        f"max {stats['max']:.1f} ms  | {len(round_trips)}/{count} batches, {skipped} skipped "
        f"(phone busy), {len(failures)} failed {sorted(set(failures))[:3]}"
    )
    post_stats = percentiles(posts)
    report.say(
        f"the send POST itself: p50 {post_stats['p50']:.1f} ms  p99 {post_stats['p99']:.1f} ms"
    )
    report.say(cpu_line(cpu, len(round_trips), "batch (add, send, POS round trip, push)"))
    per_batch = cpu["product_cpu_s"] * 1000 / max(1, len(round_trips))
    per_bare = bare["cpu"]["product_cpu_s"] * 1000 / max(1, bare["requests"])
    report.say(
        f"ratio to the bare view: CPU per batch {per_batch / max(2 * per_bare, 1e-9):.1f}× two "
        f"bare requests ({2 * per_bare:.2f} ms; goal ≤ {GOAL_CPU_MS:g} ms a batch: "
        f"{'met' if per_batch <= GOAL_CPU_MS else 'MISSED'}); round trip p50 "
        f"{stats['p50'] / max(bare['latency_ms']['p50'], 1e-9):.1f}× a bare request's p50 under "
        f"20 clients ({bare['latency_ms']['p50']:.1f} ms)"
    )
    met = (
        stats["p99"] <= GOAL_P99_MS
        and stats["max"] <= GOAL_MAX_MS
        and len(round_trips) == count
        and per_batch <= GOAL_CPU_MS
    )
    report.say(
        f"goal p99 ≤ {GOAL_P99_MS:g} ms, none over {GOAL_MAX_MS:g} ms, every batch accepted, "
        f"≤ {GOAL_CPU_MS:g} ms CPU a batch: {'met' if met else 'MISSED'}"
    )
    report.data.update(
        rate=rate, seconds=seconds, batches=count, round_trip_ms=stats, post_ms=post_stats,
        failures=failures[:20], skipped=skipped, goal_met=met, cpu=cpu,
        cpu_ms_per_batch=per_batch, bare_cpu_ms_per_request=per_bare, bare=bare,
    )  # fmt: skip

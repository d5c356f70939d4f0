"""Scenario 1: push fan-out. 250 tables × 4 phones on the bill page; the POS changes random
tables 50 times a second for 60 s; from the POS sending each change to each phone of that
table receiving the re-rendered check. Then the same load on the bare Channels app
(bench/bare_app.py), served the same way: the ratio to it holds across machines.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

import aiohttp

from bench import pushes
from bench.phones import Phone, PhonePool, gather_limited, seat, wait_first_messages
from bench.report import Report
from bench.stack import Stack

GOAL_P99_MS = {"embedded": 50.0, "production": 100.0}
DISCOUNT = Decimal("0.01")


def product_send(stack: Stack) -> pushes.Send:
    """A waiter's discount named bench-<seq>: the POS pushes it to the bridge at once."""

    async def send(table: str, seq: int) -> None:
        await stack.sim.apply_discount(table, f"bench-{seq}", amount=DISCOUNT)

    return send


async def seat_product(stack: Stack, pool: PhonePool, tables: list[str]) -> list[Phone]:
    phones = await seat(pool, stack.base_urls, stack.tokens, tables, 4, "bill")
    await stack.wait_subscribed(tables)
    await wait_first_messages(phones)
    return phones


async def bare_phase(
    stack: Stack, pool: PhonePool, tables: list[str], rate: float, seconds: float
) -> pushes.PushResult:
    await stack.start_bare()
    bases = [f"http://127.0.0.1:{port}" for port in stack.bare_ports]
    phones = [
        pool.new(bases[(i * 4 + k) % len(bases)], table)
        for i, table in enumerate(tables)
        for k in range(4)
    ]
    await gather_limited(
        p.open_socket(f"{p.base_url.replace('http', 'ws', 1)}/bare/ws/{p.table}/") for p in phones
    )
    await wait_first_messages(phones)
    async with aiohttp.ClientSession() as session:
        trigger = await session.ws_connect(f"ws://127.0.0.1:{stack.bare_ports[0]}/bare/trigger/")

        async def send(table: str, seq: int) -> None:
            await trigger.send_str(f"{table} {seq}")

        pids = stack.pids(stack.bare)
        result = await pushes.measure(send, phones, pids, rate, seconds)
        await trigger.close()
    await pool.close(phones)
    return result


async def run(args: argparse.Namespace, report: Report) -> None:
    phone_count = args.phones or (100 if args.quick else 1000)
    rate = args.rate or 50.0
    seconds = args.seconds or (5.0 if args.quick else 60.0)
    tables = [str(n) for n in range(1, phone_count // 4 + 1)]
    report.say(f"load: {len(tables)} tables × 4 phones, {rate:g} changes/s for {seconds:g} s")
    async with Stack(args.shape, tables=len(tables)) as stack, PhonePool() as pool:
        phones = await seat_product(stack, pool, tables)
        report.say(f"seated {len(phones)} phones (WebSockets open on the bill page)")
        profiling = stack.profile("fanout", seconds + 3) if args.profile else []
        product = await pushes.measure(product_send(stack), phones, stack.pids(), rate, seconds)
        for run_ in profiling:
            run_.wait(30)
        await pool.close(phones)
        bare = await bare_phase(stack, pool, tables, rate, seconds)
    report.say(pushes.describe("product", product))
    report.say(pushes.describe("bare", bare))
    p, b = product.stats(), bare.stats()
    report.say(
        f"ratio product/bare: p50 {p['p50'] / b['p50']:.1f}×  p99 {p['p99'] / b['p99']:.1f}×  "
        f"CPU/push {product.cpu_ms_per_push / max(bare.cpu_ms_per_push, 1e-9):.1f}×"
    )
    goal = GOAL_P99_MS[args.shape]
    verdict = "met" if p["p99"] <= goal and product.received == product.expected else "MISSED"
    report.say(f"goal p99 ≤ {goal:g} ms with every push delivered: {verdict}")
    report.data.update(
        phones=len(phones), rate=rate, seconds=seconds, product=product.summary(),
        bare=bare.summary(), goal_p99_ms=goal, verdict=verdict,
    )  # fmt: skip

"""Scenario 5: scale. Scenario 1's load (4 phones a table, 50 changes/s) at 100, 500,
1,000 and 2,000 phones on one running product: a push touches only its table's phones, so
its latency and its CPU cost should stay flat as the phones grow."""

from __future__ import annotations

import argparse

from bench import pushes
from bench.fanout import product_send, seat_product
from bench.phones import Phone, PhonePool
from bench.report import Report
from bench.stack import Stack

FLAT = 1.3  # the largest point's CPU per push within 30% of the smallest's


async def run(args: argparse.Namespace, report: Report) -> None:
    points = [20, 40, 80] if args.quick else [100, 500, 1000, 2000]
    rate = args.rate or 50.0
    seconds = args.seconds or (3.0 if args.quick else 20.0)
    report.say(f"load: {rate:g} changes/s for {seconds:g} s at each of {points} phones")
    rows = []
    async with Stack(args.shape, tables=points[-1] // 4) as stack, PhonePool() as pool:
        phones: list[Phone] = []
        pids = stack.pids()
        for count in points:
            tables = [str(n) for n in range(len(phones) // 4 + 1, count // 4 + 1)]
            phones += await seat_product(stack, pool, tables)
            result = await pushes.measure(product_send(stack), phones, pids, rate, seconds)
            report.say(pushes.describe(f"{len(phones)}", result))
            rows.append({"phones": len(phones), **result.summary()})
    cost = [row["cpu_ms_per_push"] for row in rows]
    growth = cost[-1] / cost[0]
    verdict = "flat" if growth <= FLAT else "NOT flat"
    report.say(
        f"CPU per push from {points[0]} to {points[-1]} phones: {cost[0]:.2f} → {cost[-1]:.2f} ms"
        f" ({growth:.2f}×): {verdict} (flat: within {FLAT:g}×)"
    )
    report.data.update(rows=rows, rate=rate, seconds=seconds, growth=growth, verdict=verdict)

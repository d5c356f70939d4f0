"""Scenario 4: memory. RSS of the web processes with 1,000 phones connected against the same
processes with none (after the same phones loaded their pages), and the bridge's RSS with
500 open table streams (each table's POS push stream, opened by a diner's scan)."""

from __future__ import annotations

import argparse
import asyncio

from bench.phones import PhonePool, connect_all, seat, wait_first_messages
from bench.report import Report, rss_kib
from bench.stack import Stack

GOAL_KB_PER_PHONE = 50.0
SETTLE_SECONDS = 3.0


async def run(args: argparse.Namespace, report: Report) -> None:
    phone_count = args.phones or (100 if args.quick else 1000)
    streams = 100 if args.quick else 500
    phone_tables = [str(n) for n in range(1, phone_count // 4 + 1)]
    stream_tables = [str(n) for n in range(1, max(streams, len(phone_tables)) + 1)]
    report.say(f"load: {phone_count} phones on {len(phone_tables)} tables; {streams} streams")
    async with Stack(args.shape, tables=len(stream_tables)) as stack, PhonePool() as pool:

        def web_kib() -> int:
            return sum(rss_kib(service.pid) for service in stack.web)

        def bridge_kib() -> int:
            return rss_kib(stack.bridge.pid) if stack.bridge else 0

        bridge_start = bridge_kib()
        warm = await seat(pool, stack.base_urls, stack.tokens, phone_tables[:5], 1, "bill")
        await wait_first_messages(warm)
        await pool.close(warm)
        await asyncio.sleep(SETTLE_SECONDS)
        start = web_kib()
        phones = await seat(pool, stack.base_urls, stack.tokens, phone_tables, 4, "bill", False)
        await asyncio.sleep(SETTLE_SECONDS)
        before = web_kib()
        await connect_all(phones, "bill")
        await wait_first_messages(phones)
        await asyncio.sleep(SETTLE_SECONDS)
        after = web_kib()
        connected = sum(1 for p in phones if p.ws is not None and not p.ws.closed)
        per_phone = (after - before) * 1.024 / connected  # KiB → kB
        report.say(
            f"web RSS: {start / 1024:.1f} MiB warm, {before / 1024:.1f} MiB after {phone_count} "
            f"phones loaded their pages, {after / 1024:.1f} MiB with {connected} connected"
        )
        report.say(
            f"per connected phone: {per_phone:.1f} kB (pages and sockets together: "
            f"{(after - start) * 1.024 / connected:.1f} kB)"
        )
        bridge_phones = bridge_kib()
        extra = [t for t in stream_tables if t not in set(phone_tables)]
        await seat(pool, stack.base_urls, stack.tokens, extra, 1, "menu", False)
        await stack.wait_subscribed(stream_tables)
        await asyncio.sleep(SETTLE_SECONDS)
        streamed = sum(1 for t in stream_tables if stack.sim.subscriber_count(t) > 0)
        if stack.bridge is not None:
            report.say(
                f"bridge RSS: {bridge_start / 1024:.1f} MiB at start, {bridge_phones / 1024:.1f}"
                f" MiB with {len(phone_tables)} streams, {bridge_kib() / 1024:.1f} MiB with "
                f"{streamed} open table streams"
            )
        else:
            report.say(
                f"embedded process (site and bridge) RSS with {streamed} open table streams: "
                f"{web_kib() / 1024:.1f} MiB"
            )
        met = per_phone <= GOAL_KB_PER_PHONE
        report.say(f"goal ≤ {GOAL_KB_PER_PHONE:g} kB per phone: {'met' if met else 'MISSED'}")
        report.data.update(
            phones=connected, web_kib={"warm": start, "pages": before, "connected": after},
            kb_per_phone=per_phone, bridge_kib={"start": bridge_start, "phones": bridge_phones,
            "streams": bridge_kib()}, streams=streamed, web_kib_streams=web_kib(), goal_met=met,
        )  # fmt: skip

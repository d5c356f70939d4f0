"""Scenario 2: pages. 50 diners' phones (cookies, keep-alive, gzip as a browser asks) load
the menu page, then a bare Django view on the same server, then the bill page, each as
fast as the server answers; requests/s and latency per page."""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.phones import Phone, PhonePool, seat
from bench.report import CpuWindow, Report, cpu_line, percentiles
from bench.stack import Stack

CLIENTS = 50
WARMUP_SECONDS = 2.0
MAX_REQUESTS_PER_CLIENT = 100_000
# Against the bare view (bench/urls.py) in the same run, on the same server shape.
GOAL_RPS_RATIO, GOAL_P99_RATIO = 0.8, 1.5


async def load(
    phones: list[Phone], url_of: str, seconds: float, pids: dict[str, int]
) -> dict[str, object]:
    """Every phone GETs `url_of` (a path of its session, or an absolute /-path) in a loop."""
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    measure_from = started + WARMUP_SECONDS
    stop_at = measure_from + seconds
    window = CpuWindow(pids)

    async def client(phone: Phone) -> None:
        nonlocal errors
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            now = time.perf_counter()
            if now >= stop_at:
                return
            if url_of.startswith("/"):
                status, took = await phone.get_url(phone.base_url + url_of)
            else:
                status, took = await phone.get(url_of)
            if now >= measure_from:
                if not latencies:
                    window.start()
                latencies.append(took * 1000)
                errors += status != 200

    await asyncio.gather(*(client(phone) for phone in phones))
    elapsed = time.perf_counter() - measure_from
    cpu = window.stop()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "latency_ms": percentiles(latencies),
        "cpu": cpu,
    }


def describe(name: str, result: dict) -> str:
    stats = result["latency_ms"]
    return (
        f"{name:<6} {result['rps']:7.1f} req/s  p50 {stats['p50']:6.1f} ms  "
        f"p99 {stats['p99']:6.1f} ms  max {stats['max']:6.1f} ms  | {result['requests']} "
        f"requests, {result['errors']} not 200\n       "
        + cpu_line(result["cpu"], result["requests"], "request")
    )


async def run(args: argparse.Namespace, report: Report) -> None:
    seconds = args.seconds or (3.0 if args.quick else 30.0)
    tables = [str(n) for n in range(1, CLIENTS + 1)]
    report.say(f"load: {CLIENTS} phones (one per table), closed loop, {seconds:g} s per page")
    async with Stack(args.shape, tables=len(tables)) as stack, PhonePool() as pool:
        phones = await seat(pool, stack.base_urls, stack.tokens, tables, 1, "menu", False)
        await stack.wait_subscribed(tables)
        pids = stack.pids()
        report.say(await _sizes(phones[0]))
        results = {}
        # The bare view straight after the menu: each bill page asks the POS for a fresh
        # check, and in the embedded shape the bridge's work on those answers, still going
        # on after the bill's phase, would be counted against whatever ran next.
        for name, url in (("menu", ""), ("bare", "/bench/bare"), ("bill", "bill/")):
            profiling = stack.profile(f"pages-{name}", seconds + 2) if args.profile else []
            results[name] = await load(phones, url, seconds, pids)
            for run_ in profiling:
                run_.wait(30)
            report.say(describe(name, results[name]))
    bare = results["bare"]
    for name in ("menu", "bill"):
        page = results[name]
        report.say(
            f"{name} / bare view: {page['rps'] / max(bare['rps'], 1e-9):.2f}× the requests/s, "
            f"p99 {page['latency_ms']['p99'] / max(bare['latency_ms']['p99'], 1e-9):.2f}×, "
            f"CPU per request {_cpu_per_request(page) / max(_cpu_per_request(bare), 1e-9):.2f}×"
        )
    menu = results["menu"]
    rps_ratio = menu["rps"] / max(bare["rps"], 1e-9)
    p99_ratio = menu["latency_ms"]["p99"] / max(bare["latency_ms"]["p99"], 1e-9)
    met = rps_ratio >= GOAL_RPS_RATIO and p99_ratio <= GOAL_P99_RATIO
    report.say(
        f"goal menu ≥ {GOAL_RPS_RATIO:g}× the bare view's requests/s and p99 ≤ "
        f"{GOAL_P99_RATIO:g}× its p99: {'met' if met else 'MISSED'}"
    )
    report.data.update(
        results=results, seconds=seconds, clients=CLIENTS, menu_goal_met=met,
        menu_rps_ratio=rps_ratio, menu_p99_ratio=p99_ratio,
    )  # fmt: skip


async def _sizes(phone: Phone) -> str:
    """Each page's size as served and as sent (gzip): the bare view is meant to be the
    menu page's size, so that rendering and compressing it cost alike."""
    sizes = []
    for name, url in (("menu", phone.page_base), ("bill", phone.page_base + "bill/"),
                      ("bare", phone.base_url + "/bench/bare")):  # fmt: skip
        async with phone.http.get(url) as reply:
            body = await reply.read()
            sent = int(reply.headers.get("Content-Length", len(body)))
        sizes.append(f"{name} {len(body) / 1000:.1f} kB ({sent / 1000:.1f} kB gzip)")
    return "page sizes: " + ", ".join(sizes)


def _cpu_per_request(result: dict) -> float:
    return result["cpu"]["product_cpu_s"] / max(result["requests"], 1)

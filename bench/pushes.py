"""Scenario 1's measurement, shared with scenario 5: tagged changes at a fixed rate.

The bench makes change <seq> at a random table and notes the time; every phone of that
table recognises the change in what it is pushed ("bench-<seq> applied") and notes the
time of arrival, on the same clock. Each (change, phone) pair is one latency sample.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.phones import Phone
from bench.report import CpuWindow, cpu_line, percentiles

TAG = re.compile(r"bench-(\d+) applied")
GRACE_SECONDS = 5.0
_sequence = itertools.count(1)
Send = Callable[[str, int], Awaitable[None]]


@dataclass
class PushResult:
    pushes: int
    expected: int
    latencies_ms: list[float]
    all_phones_ms: list[float]  # per push: until the last of the table's phones had it
    cpu: dict[str, Any]  # CpuWindow over the measured pushes
    message_bytes: list[int] = field(default_factory=list)

    @property
    def cpu_ms_per_push(self) -> float:
        """CPU of the product's (or the bare app's) processes per push."""
        return self.cpu["product_cpu_s"] * 1000 / max(1, self.pushes)

    @property
    def received(self) -> int:
        return len(self.latencies_ms)

    def stats(self) -> dict[str, float]:
        return percentiles(self.latencies_ms)

    def summary(self) -> dict[str, object]:
        return {
            "pushes": self.pushes,
            "expected": self.expected,
            "received": self.received,
            "latency_ms": self.stats(),
            "all_phones_ms": percentiles(self.all_phones_ms),
            "cpu_ms_per_push": self.cpu_ms_per_push,
            "cpu": self.cpu,
            "mean_message_bytes": (
                sum(self.message_bytes) / len(self.message_bytes) if self.message_bytes else 0
            ),
        }


async def measure(
    send: Send,
    phones: list[Phone],
    pids: dict[str, int],
    rate: float,
    seconds: float,
    warmup_seconds: float = 3.0,
) -> PushResult:
    """Send `rate` changes a second for warm-up + `seconds`, then wait for the stragglers."""
    by_table: dict[str, list[Phone]] = defaultdict(list)
    for phone in phones:
        by_table[phone.table].append(phone)
    tables = sorted(by_table)
    sent: dict[int, tuple[float, str]] = {}
    got: dict[int, list[float]] = defaultdict(list)
    sizes: list[int] = []

    def listener(phone: Phone, arrived: float, text: str) -> None:
        found = TAG.search(text)
        if found is not None:
            got[int(found.group(1))].append(arrived)
            sizes.append(len(text))

    for phone in phones:
        phone.listener = listener
    warmup = round(rate * warmup_seconds)
    total = warmup + round(rate * seconds)
    measured: list[int] = []
    started = time.perf_counter()
    deadline = started + 3 * (warmup_seconds + seconds) + 10  # a stop even if sends lag
    window = CpuWindow(pids)
    for i in range(total):
        if i == warmup:
            window.start()
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.perf_counter() > deadline:
            break
        seq = next(_sequence)
        table = random.choice(tables)
        sent[seq] = (time.perf_counter(), table)
        if i >= warmup:
            measured.append(seq)
        await send(table, seq)
    expected = sum(len(by_table[sent[seq][1]]) for seq in measured)
    wait_until = time.perf_counter() + GRACE_SECONDS
    while time.perf_counter() < wait_until:
        if sum(len(got[seq]) for seq in measured) >= expected:
            break
        await asyncio.sleep(0.05)
    cpu = window.stop()
    for phone in phones:
        phone.listener = None
    latencies = [(t - sent[seq][0]) * 1000 for seq in measured for t in got[seq]]
    complete = [
        (max(got[seq]) - sent[seq][0]) * 1000
        for seq in measured
        if len(got[seq]) >= len(by_table[sent[seq][1]])
    ]
    return PushResult(
        pushes=len(measured),
        expected=expected,
        latencies_ms=latencies,
        all_phones_ms=complete,
        cpu=cpu,
        message_bytes=sizes,
    )


def describe(name: str, result: PushResult) -> str:
    stats = result.stats()
    return (
        f"{name:<8} p50 {stats['p50']:6.1f} ms  p99 {stats['p99']:6.1f} ms  "
        f"max {stats['max']:6.1f} ms  | {result.received}/{result.expected} receipts of "
        f"{result.pushes} pushes\n         {cpu_line(result.cpu, result.pushes, 'push')}"
    )

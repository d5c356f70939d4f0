"""What every benchmark prints: the command, the date, the machine, then its figures.

Also the small measuring helpers: percentiles, and a process's RSS and CPU time from /proc.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent.parent / "var" / "bench" / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def percentiles(values: Iterable[float]) -> dict[str, float]:
    """p50, p99 and max (nearest rank), in the unit given; n is the sample count."""
    data = sorted(values)
    if not data:
        return {"n": 0, "p50": float("nan"), "p99": float("nan"), "max": float("nan")}

    def rank(p: float) -> float:
        return data[min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))]

    return {"n": len(data), "p50": rank(50), "p99": rank(99), "max": data[-1]}


def ms(stats: dict[str, float]) -> str:
    return f"p50 {stats['p50']:.1f} ms  p99 {stats['p99']:.1f} ms  max {stats['max']:.1f} ms"


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (threads included)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of all cores since boot, from /proc/stat: busy is user,
    nice, system, irq and softirq; stolen is time the hypervisor gave to other machines."""
    with open("/proc/stat", encoding="utf-8") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(v) for v in stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq) / CLOCK_TICKS, steal / CLOCK_TICKS


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class CpuWindow:
    """Where the CPU went between start() and stop(): the product's processes (by name), the
    bench process itself (phones, POS) and the rest of the machine (PostgreSQL, Redis,
    anything else running)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.start()

    def _read(self) -> tuple[float, dict[str, float], float, tuple[float, float]]:
        each = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return time.perf_counter(), each, own_cpu_seconds(), machine_cpu_seconds()

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> dict[str, Any]:
        (t0, each0, bench0, (machine0, steal0)), (t1, each1, bench1, (machine1, steal1)) = (
            self._start,
            self._read(),
        )
        elapsed = t1 - t0
        each = {name: each1[name] - each0[name] for name in self.pids}
        product = sum(each.values())
        return {
            "seconds": elapsed,
            "product_cpu_s": product,
            "by_process_cpu_s": each,
            "bench_cpu_s": bench1 - bench0,
            "rest_cpu_s": max(0.0, machine1 - machine0 - product - (bench1 - bench0)),
            "machine_cores_busy": (machine1 - machine0) / elapsed if elapsed else 0.0,
            "stolen_cores": (steal1 - steal0) / elapsed if elapsed else 0.0,
        }


def cpu_line(cpu: dict[str, Any], per: int, unit: str) -> str:
    n = max(1, per)
    each = cpu["by_process_cpu_s"]
    parts = ", ".join(f"{name} {s * 1000 / n:.2f}" for name, s in each.items())
    return (
        f"CPU per {unit}: product {cpu['product_cpu_s'] * 1000 / n:.2f} ms"
        + (f" ({parts})" if len(each) > 1 else "")
        + ", bench "
        f"{cpu['bench_cpu_s'] * 1000 / n:.2f} ms, rest of machine "
        f"{cpu['rest_cpu_s'] * 1000 / n:.2f} ms | {cpu['machine_cores_busy']:.2f} of "
        f"{os.cpu_count()} cores busy"
        + (f", {cpu['stolen_cores']:.2f} stolen" if cpu["stolen_cores"] >= 0.02 else "")
    )


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@dataclass
class Report:
    """A benchmark's printed figures and its JSON record under var/bench/results/."""

    scenario: str
    shape: str
    quick: bool
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self) -> str:
        info = machine()
        command = shlex.join([Path(sys.executable).name, *sys.argv])
        return "\n".join(
            [
                f"== {self.scenario} ({self.shape} shape{', quick' if self.quick else ''}) ==",
                f"command: {command}",
                f"date:    {self.started:%Y-%m-%d %H:%M} UTC",
                f"machine: {info['cores']} cores ({info['cpu']}), {info['memory_gib']} GiB, "
                f"Linux {info['kernel']}, Python {info['python']}",
                f"load:    {load_average()} (1, 5, 15 min) before starting",
            ]
        )

    def say(self, line: str) -> None:
        """A line of figures: printed now and kept for the summary."""
        print(line, flush=True)
        self.lines.append(line)

    def save(self) -> Path:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        name = f"{self.scenario}-{self.shape}{'-quick' if self.quick else ''}"
        path = RESULTS_DIR / f"{name}-{self.started:%Y%m%d-%H%M%S}.json"
        record = {
            "scenario": self.scenario,
            "shape": self.shape,
            "quick": self.quick,
            "command": sys.argv,
            "date": self.started.isoformat(),
            "machine": machine(),
            "load_before": load_average(),
            "lines": self.lines,
            "data": self.data,
        }
        path.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
        return path

"""Run one benchmark (or all): `.venv/bin/python bench/run.py SCENARIO [--shape S] [--quick]`.

Scenarios: fanout, pages, batch, memory, scale, weight (see bench/README.md); `all` runs
each in turn. Every run prints the command, the date and the machine before its figures
and keeps a JSON record in var/bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Report
from bench.stack import SHAPES

QUIET_LOAD = 1.0
SCENARIOS = ("fanout", "pages", "batch", "memory", "scale", "weight")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--shape", choices=SHAPES, default="embedded")
    parser.add_argument("--quick", action="store_true", help="small counts, about 10 s each")
    parser.add_argument("--phones", type=int, help="phones (fanout, memory)")
    parser.add_argument("--rate", type=float, help="changes or batches per second")
    parser.add_argument("--seconds", type=float, help="measured seconds per phase")
    parser.add_argument("--profile", action="store_true", help="py-spy the product meanwhile")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="first wait up to this long for the machine's 1-minute load to fall below 1",
    )
    return parser.parse_args(argv)


def wait_quiet(seconds: float) -> None:
    """Other work on the machine skews every figure: wait a while for it to stop."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= QUIET_LOAD and time.monotonic() < deadline:
        time.sleep(5)
    load = os.getloadavg()[0]
    if load >= QUIET_LOAD:
        print(f"warning: the machine is busy (1-minute load {load:.2f}): figures are skewed")


async def run_one(scenario: str, args: argparse.Namespace) -> bool:
    module = importlib.import_module(f"bench.{scenario}")
    wait_quiet(args.wait_quiet)
    report = Report(scenario, args.shape, args.quick)
    print(report.header(), flush=True)
    ok = True
    try:
        await module.run(args, report)
    except Exception as error:  # the product failed under load: say so, keep the record
        ok = False
        report.say(f"FAILED: {error}")
        report.data["failed"] = str(error)
    print(f"saved {report.save()}\n", flush=True)
    return ok


def main(argv: list[str]) -> None:
    args = parse(argv)
    failed = [
        scenario
        for scenario in (SCENARIOS if args.scenario == "all" else (args.scenario,))
        if not asyncio.run(run_one(scenario, args))
    ]
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Summarise a py-spy collapsed-stack file (bench/run.py --profile writes them to
var/bench/profiles/): the functions with the most samples, inclusive and by themselves.

    .venv/bin/python bench/hotspots.py var/bench/profiles/fanout-embedded-embedded.txt
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def summarise(path: Path, top: int = 25, match: str = "") -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        samples = int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [f"{path.name}: {total} samples"]
    for title, counter in (("inclusive", inclusive), ("own", own)):
        lines.append(f"-- {title}")
        shown = [(f, n) for f, n in counter.most_common() if match in f][:top]
        lines += [f"{n / total:6.1%}  {frame}" for frame, n in shown]
    return "\n".join(lines)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(summarise(Path(name)))

"""Fetch the pinned front-end packages from the npm registry into static/vendor/, and the
browser tests' own (axe-core) into tests/vendor/, which is never served.

Uses the machine's npm client (`npm pack`), checks each tarball against its pinned
sha512 integrity before extracting a single file, and skips files already present
with the right checksum. Nothing is fetched at run time.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "static" / "vendor"
TEST_VENDOR_DIR = ROOT / "tests" / "vendor"

# package spec, sha512 integrity of its tarball, file inside the tarball, file in static/vendor
PINNED = [
    (
        "htmx.org@2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        "package/dist/htmx.min.js",
        "htmx.min.js",
    ),
    (
        "htmx-ext-ws@2.0.4",
        "sha512-LnOpFRL/2hInhdKl/9N0OJsb4GYQ5/teUdTHNZYY9ytYdxYEqjfLEe0MWgF3ODjfwGJRb4E95igAbU66te48ZA==",
        "package/dist/ws.min.js",
        "htmx-ext-ws.min.js",
    ),
]

# For the browser tests only (injected into pages to check accessibility): never served.
TEST_PINNED = [
    (
        "axe-core@4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        "package/axe.min.js",
        "axe.min.js",
    ),
]


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch(spec: str, integrity: str, member: str, target: Path, workdir: Path) -> None:
    stamp = target.with_suffix(target.suffix + ".integrity")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == integrity:
        return
    out = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(workdir), spec],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / out.stdout.strip().splitlines()[-1]
    data = tarball.read_bytes()
    if integrity_of(data) != integrity:
        sys.exit(f"checksum mismatch for {spec}: refusing to install it")
    with tarfile.open(tarball) as archive:
        extracted = archive.extractfile(member)
        if extracted is None:
            sys.exit(f"{spec} has no {member}")
        target.write_bytes(extracted.read())
    stamp.write_text(integrity + "\n")
    print(f"vendored {spec} -> {target.relative_to(ROOT)}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for directory, pinned in ((VENDOR_DIR, PINNED), (TEST_VENDOR_DIR, TEST_PINNED)):
            directory.mkdir(parents=True, exist_ok=True)
            for spec, integrity, member, name in pinned:
                fetch(spec, integrity, member, directory / name, Path(tmp))


if __name__ == "__main__":
    main()

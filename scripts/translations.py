"""The diner's languages' catalogues: `extract` (make messages) and `compile` (make install).

extract: every translatable string in the product's Python and templates into
locale/{fr,es,de}/LC_MESSAGES/django.po (Django's makemessages, GNU gettext's xgettext and
msgmerge); new strings come in untranslated, changed ones fuzzy, gone ones are dropped.
Translate them, then `make test` (tests/test_translations.py fails on any left).
compile: the .po files into .mo files beside them (build output, not committed), in pure
Python (polib, pinned), so installing and running the product needs no system gettext;
fuzzy and untranslated entries are left out (English shows instead).

    .venv/bin/python scripts/translations.py extract [--root DIR]
    .venv/bin/python scripts/translations.py compile
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "es", "de"]  # English is the source language: it has no catalogue
# What is not the product's diner-facing code: tools, tests, build output, vendored files.
IGNORE = [
    ".venv",
    ".venv-lock",
    "var",
    "staticfiles",
    "static",
    "node_modules",
    "tests",
    "bench",
    "docs",
    "scripts",
    "locale",
]


def extract(root: Path) -> None:
    languages = [arg for code in LANGUAGES for arg in ("-l", code)]
    ignores = [arg for pattern in IGNORE for arg in ("--ignore", pattern)]
    command = ["manage.py", "makemessages", *languages, *ignores]
    options = ["--domain", "django", "--add-location", "file", "--no-obsolete", "-v0"]
    subprocess.run([sys.executable, *command, *options], cwd=root, check=True)


def compile_catalogues(root: Path) -> None:
    import polib  # installed from requirements.lock; this script also runs before Django

    for po_path in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["extract", "compile"])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to work in")
    args = parser.parse_args()
    (extract if args.step == "extract" else compile_catalogues)(args.root)


if __name__ == "__main__":
    main()

"""The README and docs/ hold to the product: the configuration table lists exactly the
environment variables the product reads, and every relative link resolves."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.live_demo import PROJECT_DIR

README = PROJECT_DIR / "README.md"
PRODUCT_PACKAGES = ["openapp_site", "tables", "ordering", "pos_bridge"]
ENV_READERS = {"get", "getenv", "setdefault", "env_flag", "pop"}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def product_files() -> list[Path]:
    files = [PROJECT_DIR / "manage.py"]
    for package in PRODUCT_PACKAGES:
        files += [p for p in (PROJECT_DIR / package).rglob("*.py") if "migrations" not in p.parts]
    return files


def _is_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def variables_read(source: str) -> set[str]:
    """Names passed as literals to os.environ.get/[]/setdefault, os.getenv and env_flag."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            reads = (
                isinstance(function, ast.Attribute)
                and function.attr in ENV_READERS
                and (_is_environ(function.value) or function.attr == "getenv")
            ) or (isinstance(function, ast.Name) and function.id == "env_flag")
            if not reads:
                continue
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def documented_variables() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_the_configuration_table_lists_exactly_the_variables_the_product_reads():
    read = set().union(*(variables_read(p.read_text(encoding="utf-8")) for p in product_files()))

    documented = documented_variables()

    assert sorted(read - documented) == [], "read by the product but not in the README's table"
    assert sorted(documented - read) == [], "in the README's table but read by nothing"


def test_the_reader_finds_each_way_the_environment_is_read():
    source = (
        'os.environ.get("A")\nos.environ["B"]\nos.getenv("C")\nenv_flag("D")\n'
        'os.environ.setdefault("E", "x")\nsettings.get("F")\n'
    )
    assert variables_read(source) == {"A", "B", "C", "D", "E"}


def test_every_relative_link_in_the_readme_and_docs_resolves():
    documents = [README, *(PROJECT_DIR / "docs").rglob("*.md"), PROJECT_DIR / "bench/README.md"]
    broken, checked = [], 0
    for document in documents:
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # absolute addresses and in-page anchors
            path = target.split("#", 1)[0]
            checked += 1
            if not (document.parent / path).exists():
                broken.append(f"{document.relative_to(PROJECT_DIR)}: {target}")
    assert checked >= 5, "the link pattern found (almost) no links"
    assert broken == []

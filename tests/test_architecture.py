"""Dependencies point one way: tables ← ordering ← pos_bridge, and openapp_site composes
them. A lower app never imports a higher one, not even inside a function, and no module
imports itself back through others (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

LAYERS = ["tables", "ordering", "pos_bridge", "openapp_site"]  # each may import those before it
ROOT = Path(settings.BASE_DIR)


def modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imported_by(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of ours that `name` imports, anywhere in it (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            # `from package import module` imports that module (as import-linter reads it);
            # `from module import name`, the module.
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            candidates = [m if m in known else base for m in submodules]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported_by(name, path, known) for name, path in known.items()}


def layer(name: str) -> int:
    return LAYERS.index(name.split(".")[0])


def test_no_app_imports_an_app_above_it():
    upward = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if layer(target) > layer(name)
    )
    assert upward == []


def test_no_import_cycles():
    edges = graph()
    cycles = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_check_finds_an_upward_import(tmp_path):
    known = {"tables.models": tmp_path / "models.py", "ordering.models": tmp_path / "o.py"}
    known["tables.models"].write_text("def f():\n    from ordering.models import Batch\n")
    assert imported_by("tables.models", known["tables.models"], known) == {"ordering.models"}

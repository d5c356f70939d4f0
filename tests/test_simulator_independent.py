"""The POS simulator is an independent implementation of the POS side of docs/pos-protocol.md.

It must not import the product (the bridge's codec and protocol, ordering, tables, the site):
a misreading of the protocol page by the product would then be mirrored by the simulator and
no test would notice. Imports are read with ast, so one hidden in a function or under
TYPE_CHECKING counts too. Its own modules import one way only: no cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIMULATOR = Path(__file__).resolve().parents[1] / "pos_bridge" / "simulator"
PACKAGE = "pos_bridge.simulator"
PRODUCT = ("pos_bridge", "ordering", "tables", "openapp_site")
MODULES = sorted(SIMULATOR.glob("*.py"))


def module_name(path: Path) -> str:
    return PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"


def imported(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (absolute names), wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = PACKAGE.split(".")
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                if node.level > len(package):
                    base = []
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            submodules = [f"{prefix}.{alias.name}" for alias in node.names]
            if not (prefix == PACKAGE and all(_is_module(name) for name in submodules)):
                found.append((node.lineno, prefix))
            # `from . import server` imports the module pos_bridge.simulator.server (and not
            # the package's __init__, which is already importing it).
            found += [(node.lineno, name) for name in submodules]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id in {"__import__"})
            )
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _is_module(name: str) -> bool:
    return name.startswith(PACKAGE + ".") and (SIMULATOR / f"{name.rsplit('.', 1)[1]}.py").exists()


def is_product(name: str) -> bool:
    if name == PACKAGE or name.startswith(PACKAGE + "."):
        return False
    return any(name == top or name.startswith(top + ".") for top in PRODUCT)


def simulator_modules() -> dict[str, Path]:
    return {module_name(path): path for path in MODULES}


def graph() -> dict[str, set[str]]:
    modules = simulator_modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _line, target in imported(path):
            if target in modules and target != name:
                edges[name].add(target)
    return edges


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_simulator_has_modules_to_check() -> None:
    names = set(simulator_modules())
    assert {f"{PACKAGE}.server", f"{PACKAGE}.messages", f"{PACKAGE}.wire"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_simulator_module_imports_product_code(path: Path) -> None:
    product = [f"line {line}: {name}" for line, name in imported(path) if is_product(name)]

    assert product == [], f"{path.name} imports the product: {product}"


def test_the_simulator_modules_import_one_way_only() -> None:
    assert cycle(graph()) is None


# The checks themselves


def test_the_check_sees_imports_hidden_in_functions_and_under_type_checking(tmp_path) -> None:
    source = tmp_path / "sneaky.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pos_bridge.protocol import Order\n"
        "def later():\n    from .. import codec\n    import ordering.models\n"
        "    importlib.import_module('tables.models')\n"
        "from . import checks\n"
    )

    names = [name for _line, name in imported(source)]

    assert [name for name in names if is_product(name)] == [
        "pos_bridge.protocol",
        "pos_bridge.protocol.Order",
        "pos_bridge",
        "pos_bridge.codec",
        "ordering.models",
        "tables.models",
    ]
    assert "pos_bridge.simulator.checks" in names


def test_the_check_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None

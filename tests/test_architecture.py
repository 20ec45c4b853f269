"""The import contract: imports flow one way, down the pipeline, and nobody reads another module's privates.

The layers, from the top: the command line, the orchestrator, the writers and the
presentation, stage 6 (backtesting and evaluation), stage 5 (the premium), the side
packages that build whole inputs (the bundled sample, the Dask path), stages 3-4 (signals
and prices), stage 2 (scoring), stage 1 (articles and the feeds that fetch them), and the
foundation every stage may use. A module may import its own package and anything in a
lower layer, never a higher one, at module level or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "georisk"

#: Top-level modules and packages of ``georisk`` by layer, highest first.
LAYERS: list[set[str]] = [
    {"cli", "__main__"},
    {"pipeline"},
    {"export", "report", "briefing_pages", "schema"},
    {"backtesting", "evaluation"},
    {"premium"},
    {"datasets", "distributed"},
    {"signals", "market"},
    {"scoring"},
    {"feeds"},
    {"articles"},
    {"config", "calendar", "errors", "lock", "plotting", "testing", "_io", "_progress", "_validation", "_version"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}

#: Imports that still go up a layer, each with the change that would remove it (none left;
#: the mechanism stays so a deliberate exception is visible and reasoned).
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "georisk" else None


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never executed)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def _imports() -> list[tuple[str, str, str, str]]:
    """``(importer, imported, where, name)`` for every run-time ``georisk`` import between top-level units."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        me = rel.parts[0].removesuffix(".py")
        if me == "__init__":
            continue  # the package root re-exports the public API lazily
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [a.name for a in node.names]
                targets = [(node.module, n) for n in names]
            elif isinstance(node, ast.Import):
                targets = [(a.name, "") for a in node.names]
            else:
                continue
            for module, name in targets:
                top = _top(module)
                if top is not None and top != me:
                    found.append((me, top, f"{rel}:{node.lineno}", f"{module}.{name}" if name else module))
    return found


def test_every_top_level_unit_has_a_layer():
    units = {p.name.removesuffix(".py") for p in SRC.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    units.discard("__init__")
    assert units - set(RANK) == set(), "give the new module a layer in LAYERS"


def test_imports_flow_down_the_pipeline():
    upward = {}
    for me, top, where, _ in _imports():
        if RANK[top] < RANK[me]:
            upward.setdefault((me, top), []).append(where)
    new = {k: v for k, v in upward.items() if k not in KNOWN_UPWARD}
    assert not new, f"imports going up a layer: {new}"
    gone = [k for k in KNOWN_UPWARD if k not in upward]
    assert not gone, f"{gone} no longer import upward: remove them from KNOWN_UPWARD"


@pytest.mark.parametrize("unit", sorted(RANK))
def test_no_module_reads_another_units_private_names(unit):
    bad = [
        f"{where} imports {what}"
        for me, top, where, what in _imports()
        if me == unit
        and any(part.startswith("_") for part in what.split(".")[2:])
        and not what.split(".")[-1].startswith("__")
    ]
    # a private *module* of another unit is private too, except the package's own
    assert not bad, bad

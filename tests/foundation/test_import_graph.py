"""The static import graph of src/chathpc has no cycle, function-level imports included.

Every ``import`` and ``from ... import`` anywhere in a module (module level, functions, methods) is an
edge; relative imports are resolved; ``from pkg import name`` is an edge to ``pkg.name`` when that is a
module, else to ``pkg``. Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__``, so those are
edges too (except packages that contain the importing module: they are already running). Imports under
``if TYPE_CHECKING:`` never run and are not edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

import chathpc

PACKAGE_ROOT = Path(chathpc.__file__).parent


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is_package) for every module of chathpc."""
    found = {}
    for path in PACKAGE_ROOT.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every import node of a module, outside ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield from _import_nodes(ast.Module(body=[other], type_ignores=[]))
            continue
        yield from _import_nodes(node)


def _targets(name: str, path: Path, is_package: bool, modules: dict) -> set[str]:
    """The chathpc modules that importing ``name`` runs directly."""
    package = name if is_package else name.rpartition(".")[0]
    named = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:
            candidate = f"{source}.{alias.name}"
            named.add(candidate if candidate in modules else source)
    edges = set()
    for target in named:
        if not target.startswith("chathpc"):
            continue
        parts = target.split(".")
        for end in range(1, len(parts) + 1):
            module = ".".join(parts[:end])
            running = name.startswith(module + ".") and module != target  # a package around the importer
            if module in modules and module != name and not running:
                edges.add(module)
    return edges


def import_graph() -> dict[str, set[str]]:
    """The static import graph of chathpc: module -> modules it imports."""
    modules = _modules()
    return {name: _targets(name, path, is_package, modules) for name, (path, is_package) in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_graph_sees_function_level_relative_and_from_imports():
    graph = import_graph()
    assert "chathpc.schedule" in graph["chathpc.evaluate.runner"]  # imported inside a function
    assert "chathpc.harness.check" in graph["chathpc.harness"]  # package __init__ -> its module
    assert "chathpc.harness" in graph["chathpc.schedule.jobs"]  # `from chathpc.harness import X` runs harness/__init__


def test_find_cycle_reports_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None

"""No import circle among the project's modules (issue 14, item 8).

Every `import` and `from … import` of `govgraph/`, `cli/` and `benchmarks/` is read as text
(also those inside functions: a lazy import still ties two files together), resolved to the
file it names, and the strongly connected parts of that graph must all be single files. A
package's `__init__.py` is the file `import package` names; the import of a module's parent
package that Python makes by itself is not counted (it is no choice of the code)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).parent.parent
# the import name of each source folder (pyproject.toml maps govgraph.cli to cli/)
FOLDERS = {"govgraph": ROOT / "govgraph", "govgraph.cli": ROOT / "cli", "benchmarks": ROOT / "benchmarks"}


def _modules() -> dict[str, Path]:
    found = {}
    for name, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([name, *parts])] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _targets(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules that `module` imports."""
    package = module if _is_package(path) else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
            names: list[str] = []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                bases = [".".join(base + ([node.module] if node.module else []))]
            else:
                bases = [node.module or ""]
            names = [alias.name for alias in node.names]
        else:
            continue
        for base in bases:
            # `from package import module` names the module; `from module import name` the module
            hits = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            if hits:
                out.update(hits)
            else:
                while base and base not in known:
                    base = base.rpartition(".")[0]
                if base:
                    out.add(base)
    out.discard(module)
    return out


def import_graph() -> nx.DiGraph:
    known = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in known.items():
        graph.add_edges_from((module, target) for target in _targets(module, path, known))
    return graph


def test_the_reader_sees_imports():
    """The test can fail: the reader finds the imports a circle would be made of."""
    graph = import_graph()
    assert graph.has_edge("govgraph.store.sqlite", "govgraph.store.base")
    assert graph.has_edge("govgraph.store.choose", "govgraph.store.neo4j")  # a lazy import
    assert graph.has_edge("govgraph.web.app", "govgraph.web.pages")  # `from . import pages`
    assert graph.has_edge("govgraph.charts.report", "govgraph.charts.draw")  # `from . import draw`
    looped = graph.copy()
    looped.add_edge("govgraph.store.base", "govgraph.store.sqlite")
    assert any(len(part) > 1 for part in nx.strongly_connected_components(looped))


def test_no_import_circle():
    circles = [sorted(part) for part in nx.strongly_connected_components(import_graph()) if len(part) > 1]
    assert circles == []

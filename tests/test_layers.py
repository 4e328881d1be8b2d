"""The house (issue 16): every module's imports, read with ``ast``, against the layers of the tree.

- no import cycle between the project's modules (lazy imports inside functions count too: a cycle that only
  works because an import is deferred is still a cycle of concepts);
- ``kamcore`` never imports streamlit or ``ui``;
- no module imports from a layer above its own. The order, bottom to top::

      config, settings, runtime, safetext < db < ingest < analytics < accounts < access < presentation < demo, cli
      < ui (base < loaders < access < sidebar < page < columns < widgets < editing < upload < background)
      < app.py, pages/

- ``app.py`` and ``pages/`` import nothing of the project but ``ui`` and ``kamcore``.

The exceptions that remain are listed in ALLOWED, each with its reason; an exception that no longer occurs
fails the test too, so the list shrinks with the code.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

KAMCORE_LAYERS = {"config": 0, "settings": 0, "runtime": 0, "safetext": 0, "__init__": 0, "db": 1, "ingest": 2, "analytics": 3,
                  "accounts": 4, "access": 5, "presentation": 6, "demo": 7, "cli": 7, "__main__": 7}
UI_ORDER = ["__init__", "base", "loaders", "access", "sidebar", "page", "columns", "widgets", "editing", "upload",
            "background"]
UI_LAYER = 10
APP_LAYER = 20

# (importer, imported): why it is allowed for now. Keep it short and say what removes it.
ALLOWED = {
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _project_files() -> list[Path]:
    files = sorted((ROOT / "kamcore").rglob("*.py")) + sorted((ROOT / "ui").rglob("*.py"))
    return files + [ROOT / "app.py"] + sorted((ROOT / "pages").glob("*.py"))


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in _project_files()}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules ``path`` imports (module level and inside functions): project modules by full name,
    others by their top-level name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    typing_only = {id(n) for node in ast.walk(tree)             # ``if TYPE_CHECKING:`` imports: annotations only
                   if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
                   for n in ast.walk(node)}

    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for a in node.names:
                found.add(a.name if a.name.split(".")[0] in ("kamcore", "ui") else a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (write kamcore.… in full)"
            base = node.module or ""
            if base.split(".")[0] not in ("kamcore", "ui"):
                found.add(base.split(".")[0])
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add(sub if sub in modules else base)
    return found


def _layer(name: str) -> tuple[int, int]:
    parts = name.split(".")
    if parts[0] == "kamcore":
        return (KAMCORE_LAYERS[parts[1] if len(parts) > 1 else "__init__"], 0)
    if parts[0] == "ui":
        return (UI_LAYER, UI_ORDER.index(parts[1] if len(parts) > 1 else "__init__"))
    return (APP_LAYER, 0)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) for name, path in modules.items()}


def test_every_kamcore_module_has_a_layer():
    for name in _modules():
        _layer(name)   # raises KeyError / ValueError for a package or ui module not in the lists above


def test_kamcore_never_imports_streamlit_or_ui():
    bad = {(m, i) for m, imps in _graph().items() if m.startswith("kamcore")
           for i in imps if i.split(".")[0] in ("streamlit", "ui")}
    assert not bad, bad


def test_no_module_imports_from_a_layer_above_its_own():
    graph = _graph()
    seen = set()
    for m, imps in graph.items():
        for i in imps:
            if i not in graph:
                continue
            if m == "ui" and i.startswith("ui."):   # the package face re-exports its modules
                continue
            if _layer(i) > _layer(m):
                seen.add((m, i))
    unexpected = sorted(seen - set(ALLOWED))
    assert not unexpected, "imports from a layer above: " + ", ".join(f"{m} -> {i}" for m, i in unexpected)
    gone = sorted(set(ALLOWED) - seen)
    assert not gone, f"no longer needed, remove from ALLOWED: {gone}"


def test_no_import_cycles():
    graph = {m: {i for i in imps if i in _modules() and not (m == "ui" and i.startswith("ui."))}
             for m, imps in _graph().items()}
    # a package importing its own modules to re-export them is its face, not a cycle
    graph = {m: {i for i in imps if not i.startswith(m + ".")} for m, imps in graph.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for i in sorted(graph[m]):
            if state.get(i) == 1:
                cycles.append(stack[stack.index(i):] + [i])
            elif i not in state:
                visit(i)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_app_and_pages_import_only_ui_and_kamcore_of_the_project():
    for m, imps in _graph().items():
        if _layer(m)[0] != APP_LAYER:
            continue
        own = {i for i in imps if i.split(".")[0] in ("app", "pages", "tests", "bench")}
        assert not own, (m, own)

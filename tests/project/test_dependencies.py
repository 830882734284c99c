"""Imports point one way: core ← edges ← engine ← front ends, with no import cycle.

The graph is read from the source with `ast` (every import, including those inside functions and
under TYPE_CHECKING, since those still tie modules together for a reader). Known debts are listed
by name below; the test fails both when a new violation appears and when a listed one is gone,
so the lists can only shrink.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plextray"

# Layer of each top-level module or package of plextray; a module may import its own layer or lower.
LAYERS: dict[str, int] = {
    # 0: pure domain logic and the leaf helpers everything may use
    "core": 0, "const": 0, "errors": 0, "safe_text": 0, "localtime": 0,
    # 1: the edges: files, SQLite, Plex, mail, alerts, reports, the OS
    "paths": 1, "config": 1, "secrets": 1, "localzone": 1, "control": 1, "logs": 1, "plex": 1,
    "store": 1, "profiles": 1, "alerts": 1, "mail": 1, "reports": 1, "history": 1, "notify": 1, "notify_actions": 1, "notify_toasts": 1,
    "autostart": 1, "homeassistant": 1, "log_format": 1, "config_keys": 1, "desktop_bindings": 1, "keyring_loader": 1, "config_save": 1, "status_file": 1, "today": 1,
    # 2: the one engine thread that owns all mutable state
    "engine": 2,
    # 3: what builds and drives the engine: composition root, front ends, commands, tools
    "app": 3, "service": 3, "tray_main": 3, "ui": 3, "cli": 3, "commands": 3, "demo": 3,
    "emulator": 3, "__main__": 3, "__init__": 0, "setup_check": 3, "setup_flow": 3, "setup_terminal": 3,
}

# Front ends talk to the engine through plextray.control only: the UI never reaches into the
# command-line layer, the database or the engine itself.
FORBIDDEN: dict[str, tuple[str, ...]] = {"ui": ("commands", "store", "engine")}

KNOWN_FORBIDDEN: set[tuple[str, str]] = set()
KNOWN_CYCLES: set[frozenset[str]] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name and target != "plextray":
                    edges[name].add(target)
    return edges


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _cycles(edges: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    counter = 0
    for start in sorted(set(edges) | {t for ts in edges.values() for t in ts}):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.add(frozenset(component))
    return found


def test_every_top_level_module_has_a_layer():
    tops = {_top(name) for name in _modules()}
    assert tops - set(LAYERS) == set(), "give each new top-level module a layer in LAYERS"


def test_imports_never_point_up_a_layer():
    upward = sorted(
        f"{source} → {target}"
        for source, targets in _graph().items()
        for target in targets
        if LAYERS[_top(target)] > LAYERS[_top(source)]
    )
    assert upward == []


def test_the_ui_reaches_the_engine_only_through_the_control_api():
    found = {
        (source, target)
        for source, targets in _graph().items()
        for target in targets
        if _top(target) in FORBIDDEN.get(_top(source), ())
    }
    assert found - KNOWN_FORBIDDEN == set(), "new forbidden import"
    assert KNOWN_FORBIDDEN - found == set(), "a known debt is paid: remove it from KNOWN_FORBIDDEN"


def test_no_new_import_cycle():
    cycles = _cycles(_graph())
    assert cycles - KNOWN_CYCLES == set(), "new import cycle"
    assert KNOWN_CYCLES - cycles == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset({"a", "b", "c"})}

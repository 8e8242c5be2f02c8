"""The shape of the code: packages depend one way, and no module holds a service."""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import pkgutil
import re
import sqlite3
import threading
from concurrent.futures import Executor
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

PACKAGES = ("bot", "nlu", "actions", "writer", "connectors")
# who may import whom (the arrows of docs/architecture.md)
ALLOWED = {
    "connectors": {"bot", "actions", "writer", "nlu"},
    "bot": {"actions", "writer", "nlu"},
    "actions": {"writer", "nlu"},
    "writer": {"nlu"},  # reading text: identifiers, brands, Chinese
    "nlu": set(),
}


def _imports(package: str) -> dict[str, set[str]]:
    """For each module file of `package`, the other first-party packages it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module.split(".")[0])
        found[str(path.relative_to(PROJECT_ROOT))] = (targets & set(PACKAGES)) - {package}
    return found


def _graph() -> dict[str, set[str]]:
    return {p: set().union(*_imports(p).values()) for p in PACKAGES}


def test_packages_import_only_along_the_arrows() -> None:
    wrong = [
        f"{module} imports {target}"
        for package in PACKAGES
        for module, targets in _imports(package).items()
        for target in targets - ALLOWED[package]
    ]
    assert not wrong, wrong


def test_the_package_graph_has_no_cycle() -> None:
    graph = _graph()
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> None:
        assert package not in visiting, f"cycle: {' -> '.join([*path, package])}"
        if package in done:
            return
        visiting.add(package)
        for target in sorted(graph[package]):
            visit(target, [*path, package])
        visiting.discard(package)
        done.add(package)

    for package in PACKAGES:
        visit(package, [])


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names.extend(
            info.name for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")
        )
    return names


# what a module may hold at its top level: constants, patterns, types, functions
_SERVICE_TYPES = (
    sqlite3.Connection,
    Executor,
    type(threading.Lock()),
    type(threading.RLock()),
    threading.Event,
    threading.Thread,
)


def _is_service_handle(value: object) -> bool:
    if isinstance(value, _SERVICE_TYPES):
        return True
    if isinstance(value, list | set) and any(callable(item) for item in value):
        return True  # a listener list
    cls = type(value)
    if cls.__module__.split(".")[0] not in PACKAGES or isinstance(value, type | enum.Enum):
        return False
    frozen = dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    return not frozen  # an instance of one of our classes that can change


@pytest.mark.parametrize("name", _modules())
def test_no_module_holds_a_service(name: str) -> None:
    module = importlib.import_module(name)
    handles = [
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("__")
        and getattr(value, "__module__", name) != "typing"
        and _is_service_handle(value)
    ]
    assert not handles, f"{name} holds {handles} at module level"
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    assert not re.search(r"^\s+global\s", source, re.MULTILINE), f"{name} rebinds a global"
    empty = [target for target in _empty_containers(ast.parse(source))]
    assert not empty, f"{name} starts {empty} empty at module level: state to be filled later"


def _empty_containers(tree: ast.Module) -> list[str]:
    """Module-level names bound to an empty list, dict or set: constants are never empty."""
    names = []
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        is_empty = (isinstance(value, ast.List | ast.Dict | ast.Set) and not _elements(value)) or (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in ("list", "dict", "set")
            and not value.args
        )
        if is_empty:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend(ast.unparse(target) for target in targets)
    return names


def _elements(node: ast.List | ast.Dict | ast.Set) -> list[ast.expr | None]:
    return list(node.keys) if isinstance(node, ast.Dict) else list(node.elts)


def test_the_state_check_catches_what_it_is_for() -> None:
    """Yesterday's globals, as they were written, are caught."""
    listeners = ast.parse("_listeners: list[Listener] = []\n_writers: dict[str, int] = {}\n")
    assert _empty_containers(listeners) == ["_listeners", "_writers"]
    assert _is_service_handle(threading.Lock())
    from bot.outbox import Outbox

    assert _is_service_handle(Outbox())

"""The package layout: one ``ferry`` namespace, imports that only run downwards, no cycles.

The folders are mapped into ``ferry`` by pyproject.toml; these tests read the source (with
``ast``), so they see every import, including the lazy ones inside functions.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PACKAGE_DIR: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]

#: Lower layers never import higher ones (the benchmarks may import anything).
LAYERS = [
    ("ferry.errors",),
    ("ferry.protocol",),
    # the libraries the actors use (and the clock every timer reads)
    ("ferry.actors.storage", "ferry.actors.media", "ferry.actors.transport", "ferry.actors.clock"),
    ("ferry.actors",),
    ("ferry.engine",),
    ("ferry.benchmarks",),
]


def _layer(module: str) -> int:
    best, rank = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), index
    return rank


def _modules() -> dict[str, Path]:
    """Every module of the ferry package, by dotted name, found through the mapping."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGE_DIR.items():
        root = REPO / folder
        for path in root.rglob("*.py"):
            rel = path.relative_to(root).with_suffix("")
            parts = [] if rel.parts == ("__init__",) else list(rel.parts)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path, *, top_level_only: bool) -> set[str]:
    """The ferry modules ``name`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # what runs on import: if/try blocks, not functions or type checks
        nodes = [
            node
            for stmt in tree.body
            if not _in_function(stmt) and not _type_checking_only(stmt)
            for node in ast.walk(stmt)
        ]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets.add(module)
            targets.update(f"{module}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in MODULES and t != name}


def _type_checking_only(stmt: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` blocks never run: the type checker's imports are no cycle."""
    return (
        isinstance(stmt, ast.If)
        and isinstance(stmt.test, ast.Name)
        and stmt.test.id == "TYPE_CHECKING"
    )


def _in_function(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert on_disk == listed, (
        f"missing from pyproject: {on_disk - listed}, extra: {listed - on_disk}"
    )


def test_imports_only_run_downwards() -> None:
    upward = []
    for name, path in MODULES.items():
        for target in _imports(name, path, top_level_only=False):
            if _layer(target) > _layer(name):
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_nothing_under_engine_imports_benchmarks() -> None:
    offenders = [
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if name.startswith("ferry.engine")
        for target in _imports(name, path, top_level_only=False)
        if target.startswith("ferry.benchmarks")
    ]
    assert offenders == []


def test_the_import_graph_has_no_cycle() -> None:
    graph = {name: _imports(name, path, top_level_only=True) for name, path in MODULES.items()}
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            # importing a submodule runs its package's __init__ first: not a cycle of ours
            if node.startswith(target + "."):
                continue
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]


def _check_installed(python: str, cwd: Path) -> None:
    """From a folder outside the checkout: ferry imports, the old names do not."""
    ok = _run([python, "-c", "import ferry, ferry.engine, ferry.protocol.strategies"], cwd=cwd)
    assert ok.returncode == 0, ok.stderr
    for old in ("engine", "protocol", "actors", "benchmarks"):
        gone = _run([python, "-c", f"import {old}"], cwd=cwd)
        assert gone.returncode != 0, f"`import {old}` works in an installed Ferry"
        assert "ModuleNotFoundError" in gone.stderr


def test_the_editable_install_is_one_ferry_namespace(tmp_path: Path) -> None:
    _check_installed(sys.executable, tmp_path)
    distributions = list(Path(sys.prefix).glob("lib/python*/site-packages/ferry_engine-*"))
    top_level = [d / "top_level.txt" for d in distributions if (d / "top_level.txt").exists()]
    for path in top_level:
        assert path.read_text().split() == ["ferry"]


@pytest.mark.skipif(os.name != "posix", reason="builds a POSIX venv")
def test_a_wheel_holds_ferry_alone_and_its_command_runs(tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves build/ and *.egg-info beside the sources.
    source = tmp_path / "source"
    shutil.copytree(
        REPO, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info")
    )
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)]
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("ferry_engine-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (top_level,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        assert archive.read(top_level).decode().split() == ["ferry"]
    assert {name.split("/")[0] for name in names if not name.endswith(".dist-info/")} <= {
        "ferry",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }
    # A fresh venv with the wheel, its dependencies borrowed from this one through a .pth
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = str(target / "bin" / "python")
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    ours = _run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(site.stdout.strip()) / "deps.pth").write_text(ours.stdout.strip() + "\n")
    installed = _run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)])
    assert installed.returncode == 0, installed.stderr
    _check_installed(python, tmp_path)
    helped = _run([str(target / "bin" / "ferry"), "--help"], cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "receive" in helped.stdout and "send" in helped.stdout

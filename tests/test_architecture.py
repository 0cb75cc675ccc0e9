"""The shape of the code: layers that import only downwards, no cycles, Streamlit only in
playground/ui, no private names across modules, the device chosen in one place, thin pages, and
nothing evaluated.

Layers, lowest first (a module imports from its own layer or below, never above):

    engine  <  targets, mnist  <  figures  <  labs  <  live, bench  <  ui  <  cli

engine: the lab-agnostic top-level modules (config, fields, device, metrics, models, optim, accel,
trainer, timing, text, export); a new top-level module starts there. targets and mnist: the toy
distributions and the MNIST data, networks and classifier. figures: pure Plotly builders of
snapshots. labs: each lab's config, presets and run, and the registry. live and bench: a session
that trains and draws frames, and the benchmark. ui: everything Streamlit. cli: the entry point,
which may start the ui's server.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "playground"
LAYERS = [  # lowest first; a name covers a module or a subpackage
    {"engine"},
    {"playground.targets", "playground.mnist"},
    {"playground.figures"},
    {"playground.labs"},
    {"playground.live", "playground.bench", "playground.lessons", "playground.compare"},
    {"playground.ui"},
    {"playground.cli", "playground.__main__"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The index in LAYERS of the entry naming the module or a package above it; other top-level
    modules are the engine. A new subpackage must be placed in LAYERS."""
    for index, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return index
    parts = module.split(".")
    assert len(parts) <= 2 and MODULES[module].parent == PACKAGE, f"place {module} in a layer of LAYERS"
    return 0


def imports_of(module: str) -> set[str]:
    """Every playground module that ``module`` imports, at any depth (lazy imports inside functions
    and TYPE_CHECKING blocks included); ``from x import y`` counts x.y when that is a module."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports_of(module) for module in MODULES}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, deps in graph.items() for b in deps if layer_of(b) > layer_of(a))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles, each as the path that closes it (depth-first search)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                found.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_walk_finds_every_subpackage():
    assert {"playground.cli", "playground.labs.base", "playground.ui.internals", "playground.figures.common",
            "playground.targets.points", "playground.mnist.quality"} <= set(MODULES)
    assert {layer_of(m) for m in MODULES} == set(range(len(LAYERS)))


def test_imports_only_go_down_the_layers():
    assert upward_imports(GRAPH) == []


def test_there_are_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_checks_above_can_fail():
    """A figure importing a lab is upward; two modules importing each other are a cycle."""
    assert upward_imports({"playground.figures.one_d": {"playground.labs.one_d"}}) == [
        "playground.figures.one_d -> playground.labs.one_d"]
    assert cycles({"playground.labs.toy": {"playground.labs.base"}, "playground.labs.base": {"playground.labs.toy"}})


def test_only_playground_ui_imports_streamlit():
    """Outside playground/ui no module names streamlit in an import, however deep or lazy."""
    offenders = []
    for module, path in MODULES.items():
        if module.startswith("playground.ui"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            offenders += [f"{module}: {name}" for name in names if name.split(".")[0] == "streamlit"]
    assert offenders == []


def test_importing_the_core_or_the_ui_package_leaves_streamlit_unloaded():
    """Every module outside playground/ui, and playground.ui itself with its server launcher, import
    without loading streamlit (serve must run before Streamlit reads its configuration)."""
    core = [m for m in MODULES if not m.startswith("playground.ui") and m != "playground.__main__"]
    code = ("import sys; " + "; ".join(f"import {name}" for name in core + ["playground.ui", "playground.ui.serve"])
            + "; print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_module_imports_another_modules_private_names():
    offenders = [f"{module}: from {node.module} import {alias.name}"
                 for module, path in MODULES.items() for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.ImportFrom) for alias in node.names
                 if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert offenders == []


@pytest.mark.parametrize("page", sorted((ROOT / "app_pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_hold_no_maths_and_use_the_ui_package(page):
    """Page scripts import no torch/numpy/scipy (the maths lives in the core) and take their
    Streamlit helpers from ``playground.ui`` itself, not from its modules."""
    imported = {alias.name if isinstance(node, ast.Import) else (node.module or "")
                for node in ast.walk(ast.parse(page.read_text()))
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert not {name.split(".")[0] for name in imported} & {"torch", "numpy", "scipy"}, imported
    assert not [name for name in imported if name.startswith("playground.ui")], imported


def test_the_device_is_chosen_in_one_place():
    """Only playground/device.py asks torch whether CUDA is available."""
    offenders = [module for module, path in MODULES.items()
                 if "cuda.is_available" in path.read_text() and module != "playground.device"]
    assert offenders == []


def test_no_user_text_is_evaluated():
    sources = list(MODULES.values()) + list((ROOT / "app_pages").glob("*.py")) + [ROOT / "app.py"]
    for path in sources:
        tree = ast.parse(path.read_text())
        calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert not calls & {"eval", "exec"}, path.name

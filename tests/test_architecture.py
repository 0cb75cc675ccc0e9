"""The shape of the code: a Streamlit-free core, thin pages, one place for the device."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import playground

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted(m.name.removeprefix("playground.") for m in pkgutil.walk_packages(playground.__path__, "playground.")
              if not m.name.startswith("playground.ui") and m.name != "playground.__main__")


def test_core_modules_do_not_import_streamlit():
    """Importing every core module leaves streamlit unloaded (only playground.ui may use it)."""
    code = ("import sys; " + "; ".join(f"import playground.{name}" for name in CORE)
            + "; print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", CORE


def test_pages_hold_no_maths():
    """Page scripts import no torch/numpy/scipy: the maths lives in the core."""
    for page in (ROOT / "app_pages").glob("*.py"):
        tree = ast.parse(page.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert not imported & {"torch", "numpy", "scipy"}, (page.name, imported)


def test_the_device_is_chosen_in_one_place():
    """Only playground/device.py asks torch whether CUDA is available."""
    offenders = [path.name for path in (ROOT / "playground").rglob("*.py")
                 if "cuda.is_available" in path.read_text() and path.relative_to(ROOT).as_posix() != "playground/device.py"]
    assert offenders == []


def test_no_user_text_is_evaluated():
    sources = list((ROOT / "playground").rglob("*.py")) + list((ROOT / "app_pages").glob("*.py")) + [ROOT / "app.py"]
    for path in sources:
        tree = ast.parse(path.read_text())
        calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert not calls & {"eval", "exec"}, path.name

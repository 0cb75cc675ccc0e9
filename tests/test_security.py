"""Static security checks: no code execution from data, safe deserialisation, a locked-down server
config, and no user-facing input that can name a file.

The call checker works on the AST with import aliases resolved (``import pickle as p; p.loads`` is
``pickle.loads``; ``from os import system`` is ``os.system``), and is itself tested on bad snippets.
"""

from __future__ import annotations

import ast
import dataclasses
import tomllib
from pathlib import Path

import pytest

from playground import config as cfg
from playground.mnist import data as mnist_data
from playground.labs import LABS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "playground").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py"), ROOT / "app.py",
                  *(ROOT / "scripts").rglob("*.py")])

BUILTINS_CALLED = {"eval", "exec", "compile", "__import__"}  # bare-name calls: model.eval() and re.compile() are fine
FORBIDDEN = {  # qualified names that must never be called
    "builtins.eval", "builtins.exec", "builtins.compile",
    "pickle.load", "pickle.loads", "pickle.Unpickler", "_pickle.load", "_pickle.loads", "cPickle.load",
    "cPickle.loads", "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads", "joblib.load",
    "marshal.load", "marshal.loads", "shelve.open", "pandas.read_pickle",
    "yaml.unsafe_load", "yaml.full_load", "yaml.unsafe_load_all",
    "os.system", "os.popen", "os.execl", "os.execlp", "os.execv", "os.execvp", "os.spawnl", "os.spawnlp",
    "subprocess.getoutput", "subprocess.getstatusoutput",  # always through a shell
}
SUBPROCESS = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
              "subprocess.Popen", "asyncio.create_subprocess_shell"}
SAFE_YAML_LOADERS = {"yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader", "yaml.CBaseLoader"}


class _Aliases(ast.NodeVisitor):
    """Local name -> qualified name, from every import in the module."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def visit_Import(self, node: ast.Import):
        for alias in node.names:
            if alias.asname:
                self.names[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.names[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom):
        if node.module and not node.level:
            for alias in node.names:
                self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _qualname(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """``np.load`` -> ``numpy.load`` (names not imported stay as written); None for other expressions."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_const(node: ast.expr | None, value) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def check_source(source: str, filename: str = "<snippet>") -> list[str]:
    """Every unsafe call in ``source``, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    collector = _Aliases()
    collector.visit(tree)
    aliases = collector.names
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    problems = []

    def flag(node: ast.AST, what: str) -> None:
        problems.append(f"{filename}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if (isinstance(node.func, ast.Name) and node.func.id in BUILTINS_CALLED
                and node.func.id not in aliases and node.func.id not in defined):
            flag(node, f"call to the builtin {node.func.id}()")
            continue
        name = _qualname(node.func, aliases)
        if name is None:
            continue
        if name in FORBIDDEN:
            flag(node, f"call to {name}()")
        elif name in SUBPROCESS or name.startswith("subprocess."):
            shell = _keyword(node, "shell")
            if shell is not None and not _is_const(shell, False) and not _is_const(shell, None):
                flag(node, f"{name}(..., shell=...) runs a shell")
        elif name in ("yaml.load", "yaml.load_all"):
            loader = _keyword(node, "Loader") or (node.args[1] if len(node.args) > 1 else None)
            if loader is None or _qualname(loader, aliases) not in SAFE_YAML_LOADERS:
                flag(node, f"{name}() without a safe Loader")
        elif name == "torch.load":
            if not _is_const(_keyword(node, "weights_only"), True):
                flag(node, "torch.load() without weights_only=True")
        elif name in ("numpy.load", "numpy.lib.npyio.load"):
            allow = _keyword(node, "allow_pickle")
            if allow is not None and not _is_const(allow, False):
                flag(node, "numpy.load(..., allow_pickle=...) can unpickle")
    return problems


# --- the checker flags what it should -----------------------------------------------------------

BAD_SNIPPETS = [
    ("eval(text)", "builtin eval"),
    ("exec('x = 1')", "builtin exec"),
    ("code = compile(src, 'f', 'exec')", "builtin compile"),
    ("__import__('os')", "builtin __import__"),
    ("import builtins\nbuiltins.eval('1')", "builtins.eval"),
    ("import pickle\npickle.loads(data)", "pickle.loads"),
    ("import pickle as p\np.load(f)", "pickle.load"),
    ("from pickle import loads\nloads(b)", "pickle.loads"),
    ("from pickle import loads as safe_loads\nsafe_loads(b)", "pickle.loads"),
    ("import marshal\nmarshal.loads(b)", "marshal.loads"),
    ("import pandas as pd\npd.read_pickle(path)", "pandas.read_pickle"),
    ("import yaml\nyaml.load(text)", "without a safe Loader"),
    ("import yaml\nyaml.load(text, Loader=yaml.Loader)", "without a safe Loader"),
    ("import yaml\nyaml.load(text, yaml.FullLoader)", "without a safe Loader"),
    ("import yaml\nyaml.unsafe_load(text)", "yaml.unsafe_load"),
    ("import subprocess\nsubprocess.run(cmd, shell=True)", "shell"),
    ("import subprocess as sp\nsp.Popen(cmd, shell=flag)", "shell"),
    ("from subprocess import check_output\ncheck_output(cmd, shell=True)", "shell"),
    ("import subprocess\nsubprocess.getoutput('ls')", "getoutput"),
    ("import os\nos.system('ls')", "os.system"),
    ("from os import system\nsystem('ls')", "os.system"),
    ("import os\nos.popen('ls')", "os.popen"),
    ("import torch\ntorch.load(path)", "weights_only=True"),
    ("import torch\ntorch.load(path, weights_only=False)", "weights_only=True"),
    ("import torch\ntorch.load(path, weights_only=flag)", "weights_only=True"),
    ("from torch import load\nload(path, map_location='cpu')", "weights_only=True"),
    ("import numpy as np\nnp.load(f, allow_pickle=True)", "allow_pickle"),
    ("from numpy import load\nload(f, allow_pickle=yes)", "allow_pickle"),
]

GOOD_SNIPPETS = [
    "model.eval()",
    "net.train(); net.eval()",
    "import re\nre.compile('x+')",
    "import torch\ntorch.compile(model)",
    "import torch\ntorch.load(path, map_location='cpu', weights_only=True)",
    "import numpy as np\nnp.load(f)",
    "import numpy as np\nnp.load(f, allow_pickle=False)",
    "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)",
    "import yaml\nyaml.safe_load(text)",
    "import subprocess\nsubprocess.run([sys.executable, '-c', 'pass'], check=True)",
    "import subprocess\nsubprocess.run(cmd, shell=False)",
    "import json\njson.loads(text)",
    "import ast\nast.literal_eval('1')",
    "def eval(x):\n    return x\n",  # defining a name is not calling the builtin
    "def compile(x):\n    return x\ncompile(1)",  # nor is calling one's own function of that name
]


@pytest.mark.parametrize("source,what", BAD_SNIPPETS, ids=[s for s, _ in BAD_SNIPPETS])
def test_checker_flags_unsafe_calls(source, what):
    problems = check_source(source)
    assert len(problems) == 1 and what in problems[0], problems


@pytest.mark.parametrize("source", GOOD_SNIPPETS)
def test_checker_passes_safe_calls(source):
    assert check_source(source) == []


# --- the code base ------------------------------------------------------------------------------

def test_sources_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in SOURCES}
    assert {"app.py", "playground/config.py", "playground/mnist/quality.py", "app_pages/lab_2d.py",
            "scripts/train_mnist_classifier.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_code_execution_or_unsafe_deserialisation(path):
    assert check_source(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()) == []


def test_the_weights_loader_is_checked():
    """The one torch.load in the package is seen by the checker (and passes weights_only=True)."""
    tree = ast.parse((ROOT / "playground" / "mnist" / "quality.py").read_text())
    loads = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _qualname(n.func, {"torch": "torch"}) == "torch.load"]
    assert loads and all(_is_const(_keyword(n, "weights_only"), True) for n in loads)


# --- the server's config --------------------------------------------------------------------------

def test_streamlit_config_caps_uploads_and_hides_tracebacks():
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    upload_mb = conf["server"]["maxUploadSize"]
    assert isinstance(upload_mb, int) and 0 < upload_mb <= 10
    assert conf["client"]["showErrorDetails"] == "none"
    from playground.targets.points import MAX_CSV_BYTES

    assert MAX_CSV_BYTES <= upload_mb * 2**20  # the parser's own cap is no looser than the server's
    from playground.labs.states import UPLOAD_BYTES

    assert UPLOAD_BYTES == upload_mb * 2**20  # the page's offer of a compact state reads the same cap


# --- no user-facing input can name a path ---------------------------------------------------------

CONFIG_FIELDS = [(key, f.name) for key, lab in LABS.items() for f in dataclasses.fields(lab.config_cls)]


@pytest.mark.parametrize("lab,name", CONFIG_FIELDS, ids=[f"{k}.{n}" for k, n in CONFIG_FIELDS])
def test_no_config_field_is_free_text(lab, name):
    """URL params, settings files and the CLI only set config fields, and every text field is a fixed
    choice: no field can carry a path (or any other free text) from a user to the loaders."""
    config_cls = LABS[lab].config_cls
    assert name in cfg.specs(config_cls), f"{name} has no Spec, so it is not validated"
    kind = cfg.kind_of(config_cls, name)
    assert kind in {"bool", "int", "float", "choice", "mixture"}
    default = getattr(config_cls(), name)
    if isinstance(default, str):
        spec = cfg.specs(config_cls)[name]
        assert spec.choices and default in spec.choices
        assert all("/" not in c and "\\" not in c and ".." not in c for c in spec.choices)


def test_mnist_is_loaded_only_from_the_configured_directories():
    """The lab asks the loader for MNIST with only the download switch (and a progress callback): the
    directories come from $MNIST_DIR and the cache setting, never from the URL, a settings file or the CLI."""
    calls = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (_qualname(node.func, {}) or "").split(".")[-1] in (
                    "load_mnist", "download_mnist", "cached_mnist"):
                calls.append((path.relative_to(ROOT).as_posix(), node))
    assert calls
    for where, call in calls:
        if where == "playground/mnist/data.py":
            continue  # the loader itself, passing its own arguments along
        assert len(call.args) <= 1, (where, ast.unparse(call))  # (download), never a directory
        assert {k.arg for k in call.keywords} <= {"download", "progress"}, (where, ast.unparse(call))


def test_mnist_downloads_only_over_https_from_fixed_mirrors():
    assert mnist_data.MIRRORS and all(m.startswith("https://") for m in mnist_data.MIRRORS)
    assert set(mnist_data.CHECKSUMS) == {f"{name}.gz" for name in mnist_data.FILES}
    with pytest.raises(mnist_data.MnistError, match="only http"):
        mnist_data._fetch("file:///etc/passwd", Path("/nonexistent/x"), "0" * 32, 1.0, lambda f: None)

"""Private names of zipline and Luigi are used in their compat module only.

The rule, checked on every ``.py`` under ``momentum_pipeline/`` and ``tasks/`` except
``momentum_pipeline/backtest/zipline_compat.py`` and ``tasks/luigi_compat.py``: a name
is private if it starts with ``_`` and is not a dunder (``__version__`` is public).
A module touches a private name of zipline or Luigi when it

* imports one, or from a private module (``from luigi._x import y``, ``import zipline._x``);
* reads or writes ``x._name`` (also through ``getattr``/``setattr``/``hasattr``/``delattr``
  with a literal name), where ``x`` is a name bound by an import from zipline or
  Luigi, or a class deriving from one (``luigi.Task``, ``BcolzDailyBarReader``);
* in a class deriving from one, defines a private method or attribute (it overrides
  or collides with the library's own) or reads ``self._name``, ``cls._name`` or
  ``super()._name``.

Names bound otherwise (a local holding a Luigi object) are not followed: the check
is a fence against the easy mistakes, not a proof. A new private use goes into the
compat module, with why it is needed and a check at its import.
"""

from __future__ import annotations

import ast
import shutil
import subprocess

import pytest

from momentum_pipeline.foundation.private_api import require_private_names
from tests.conftest import REPO

LIBRARIES = ("zipline", "luigi")
SCANNED = ("momentum_pipeline", "tasks")
COMPAT_MODULES = ("momentum_pipeline/backtest/zipline_compat.py", "tasks/luigi_compat.py")
#: The commit before the compat modules: its bundle.py and luigid.py used private names.
BEFORE_COMPAT = "f9143166c89ad793d119b6db5e639ec42ad34fd0"
ATTRIBUTE_FUNCTIONS = ("getattr", "setattr", "hasattr", "delattr")


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def from_library(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def root_name(node: ast.expr) -> str | None:
    """``a`` of ``a.b.c``; None for anything else (a call, a subscript)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def library_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound by imports from zipline or Luigi, and the classes deriving from them."""
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.asname or alias.name.split(".")[0]
                            for alias in node.names if from_library(alias.name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and from_library(node.module):
            imported.update(alias.asname or alias.name for alias in node.names)
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    derived: set[str] = set()
    while True:  # a class deriving from a class deriving from luigi.Task, ...
        more = {c.name for c in classes
                if any(root_name(base) in imported | derived for base in c.bases)}
        if more <= derived:
            return imported, derived
        derived |= more


def is_instance_of_class(node: ast.expr) -> bool:
    """``self``, ``cls`` or ``super()``: the object inside a class body."""
    return ((isinstance(node, ast.Name) and node.id in ("self", "cls"))
            or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "super"))


def private_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) of each private zipline or Luigi name ``source`` touches (see the
    module docstring for the rule)."""
    tree = ast.parse(source)
    imported, derived = library_names(tree)
    bound = imported | derived
    uses: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            uses += [(node.lineno, f"import {a.name}") for a in node.names
                     if from_library(a.name) and any(map(is_private, a.name.split(".")))]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and from_library(node.module):
            names = [a.name for a in node.names]
            if any(map(is_private, node.module.split("."))) or any(map(is_private, names)):
                uses.append((node.lineno, f"from {node.module} import {', '.join(names)}"))
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if root_name(node.value) in bound:
                uses.append((node.lineno, ast.unparse(node)))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ATTRIBUTE_FUNCTIONS and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and is_private(node.args[1].value) and root_name(node.args[0]) in bound):
            uses.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ClassDef) and node.name in derived:
            uses += class_body_uses(node)
    return sorted(set(uses))


def class_body_uses(cls: ast.ClassDef) -> list[tuple[int, str]]:
    """Private names a class deriving from zipline or Luigi defines or reads on itself."""
    uses = []
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined = [statement.name]
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            defined = [t.id for t in targets if isinstance(t, ast.Name)]
        else:
            defined = []
        uses += [(statement.lineno, f"{cls.name}.{name} defined") for name in defined
                 if is_private(name)]
    uses += [(node.lineno, ast.unparse(node)) for node in ast.walk(cls)
             if isinstance(node, ast.Attribute) and is_private(node.attr)
             and is_instance_of_class(node.value)]
    return uses


def scanned_modules() -> list[str]:
    return sorted(str(path.relative_to(REPO)) for folder in SCANNED
                  for path in (REPO / folder).rglob("*.py"))


def test_no_module_but_the_compat_ones_touches_a_private_zipline_or_luigi_name():
    modules = scanned_modules()
    assert set(COMPAT_MODULES) <= set(modules)
    found = [f"{module}:{line}: {what}" for module in modules if module not in COMPAT_MODULES
             for line, what in private_uses((REPO / module).read_text())]
    assert not found, ("private zipline/Luigi names outside "
                       f"{' and '.join(COMPAT_MODULES)}:\n" + "\n".join(found))


def test_the_compat_modules_are_where_the_private_names_are():
    assert all(private_uses((REPO / module).read_text()) for module in COMPAT_MODULES)


def source_before_compat(path: str) -> str:
    git = shutil.which("git")
    shown = subprocess.run([git, "-C", str(REPO), "show", f"{BEFORE_COMPAT}:{path}"],
                           capture_output=True, text=True) if git else None
    if shown is None or shown.returncode != 0:
        pytest.skip(f"no git history with commit {BEFORE_COMPAT} (a shallow or exported tree)")
    return shown.stdout


def test_checker_when_run_on_bundle_py_before_the_compat_module_then_finds_its_private_uses():
    uses = private_uses(source_before_compat("momentum_pipeline/backtest/bundle.py"))
    assert uses == [(158, "InMemoryDailyBarReader._spot_col defined"), (159, "self._spot_cols"),
                    (160, "self._spot_cols"), (160, "self._table"), (161, "self._spot_cols")]


def test_checker_when_run_on_luigid_py_before_the_compat_module_then_finds_the_patch():
    uses = private_uses(source_before_compat("tasks/luigid.py"))
    assert uses == [(28, "db_task_history._upgrade_schema")]


@pytest.mark.parametrize("source", [
    "from luigi.worker import _WorkerSchedulerFactory",
    "from zipline._protocol import BarData",
    "import zipline._protocol",
    "import luigi\nluigi.worker._x = 1",
    "import luigi as l\nl.task_register.Register._reg",
    "from luigi.task_register import Register\ngetattr(Register, '_reg')",
    "import luigi\nclass T(luigi.Task):\n    def run(self):\n        self._owner = 1",
    "import luigi\nclass T(luigi.Task):\n    _visible_in_ui = 1",
    "import luigi\nclass T(luigi.Task):\n    pass\nclass U(T):\n    def run(self):\n"
    "        return super()._requires()",
    "import luigi\nclass T(luigi.Task):\n    pass\nT._x",
])
def test_checker_when_a_private_library_name_is_touched_then_reports_it(source):
    assert private_uses(source)


@pytest.mark.parametrize("source", [
    "import luigi\nluigi.Task.__name__",
    "from luigi import Task\nclass T(Task):\n    def run(self):\n        self.__dict__",
    "import pandas\npandas._libs",
    "class Own:\n    def _helper(self):\n        return self._cache",
    "import luigi\ndef _helper():\n    pass\nluigi.build([])",
])
def test_checker_when_only_public_or_own_names_then_reports_nothing(source):
    assert private_uses(source) == []


def test_compat_check_when_a_private_name_is_missing_then_import_error_names_it_and_versions():
    from momentum_pipeline.backtest import zipline_compat

    with pytest.raises(ImportError) as refused:
        require_private_names(zipline_compat.DISTRIBUTION, zipline_compat.TESTED_VERSION,
                              {**zipline_compat.PRIVATE_NAMES,
                               "BcolzDailyBarReader._gone": False}, zipline_compat.__name__)
    message = str(refused.value)
    assert "lacks BcolzDailyBarReader._gone, relied on by " in message
    assert "tested with zipline-reloaded 3.2.1" in message
    assert "momentum_pipeline.backtest.zipline_compat" in message


def test_compat_modules_when_imported_with_the_pinned_versions_then_find_every_private_name():
    from momentum_pipeline.backtest import zipline_compat
    from tasks import luigi_compat

    assert all(zipline_compat.PRIVATE_NAMES.values()) and all(luigi_compat.PRIVATE_NAMES.values())

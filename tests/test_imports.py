"""The packages' import structure: no import circle in linreg_core or ui, settings without torch,
the core without Streamlit, and pages that use only ui and the core's public names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("linreg_core", "ui")


def _imports(path: Path, package: str) -> set[str]:
    """Modules of `package` this file imports, at load or inside a function (a circle through a
    function-level import is a circle all the same); imports for type checking only are left
    out, as they never run."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names if a.name.startswith(package + ".")}
            elif isinstance(sub, ast.ImportFrom) and sub.module:
                if sub.module == package:  # from ui import state: a module of the package
                    found |= {f"{package}.{a.name}" for a in sub.names}
                elif sub.module.startswith(package + "."):
                    found.add(sub.module)
    modules = {f"{package}.{p.stem}" for p in (ROOT / package).glob("*.py")}
    return found & modules


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_itself_back_through_others(package: str) -> None:
    graph = {
        f"{package}.{p.stem}": _imports(p, package)
        for p in (ROOT / package).glob("*.py")
        if p.stem != "__init__"
    }
    graph = {m: deps - {f"{package}.__init__"} for m, deps in graph.items()}

    def cycle_from(start: str, node: str, seen: tuple[str, ...]) -> tuple[str, ...] | None:
        for dep in sorted(graph.get(node, ())):
            if dep == start:
                return (*seen, dep)
            if dep not in seen:
                found = cycle_from(start, dep, (*seen, dep))
                if found:
                    return found
        return None

    circles = [c for m in graph if (c := cycle_from(m, m, (m,)))]
    assert not circles, f"import circle: {' -> '.join(circles[0])}"


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_settings_and_the_registry_are_checked_without_importing_torch() -> None:
    printed = _run(
        "import sys\n"
        "from linreg_core import ConfigError, OptimizerConfig, RunConfig, OPTIMIZERS\n"
        "RunConfig(target='y', optimizers=(OptimizerConfig('adam', lr=0.1),))\n"
        "try:\n    OptimizerConfig('sgd', lr=-1)\nexcept ConfigError:\n    pass\n"
        "print('torch' in sys.modules)"
    )
    assert printed == "False"


def test_the_engine_never_imports_streamlit_or_altair() -> None:
    printed = _run(
        "import sys, pandas as pd\n"
        "from linreg_core import RunConfig, run\n"
        "run(pd.DataFrame({'x': [1.0, 2, 3], 'y': [2.0, 4, 7]}), RunConfig(target='y', epochs=3))\n"
        "print(sorted(m for m in ('streamlit', 'altair') if m in sys.modules))"
    )
    assert printed == "[]"


def test_pages_use_ui_and_the_cores_public_names_only() -> None:
    for page in sorted((ROOT / "app_pages").glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("linreg_core."), f"{page.name}: {node.module}"

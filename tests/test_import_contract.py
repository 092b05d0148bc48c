"""Dependencies run one way (read from the code's syntax tree, lazy imports inside functions included):

app.py, app_pages/ → ui/ → etl/ ; inside etl/, the warehouse package stands on the ground floor only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etl.config import PROJECT_ROOT

# The ground floor: what every etl module may stand on, and the warehouse may import.
GROUND_FLOOR = ("etl.config", "etl.files", "etl.catalog", "etl.issues", "etl.records", "etl.cn_format")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, wherever the import statement is (module level or inside a function)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            # `from etl import warehouse` imports etl.warehouse
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def files(folder: str) -> list[Path]:
    root = PROJECT_ROOT / folder
    return sorted(root.rglob("*.py")) if root.is_dir() else [root]


def _is(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _offenders(paths: list[Path], forbidden) -> list[str]:  # noqa: ANN001 - a predicate over module names
    return [
        f"{path.relative_to(PROJECT_ROOT)} imports {module}"
        for path in paths
        for module in sorted(imports_of(path))
        if forbidden(module)
    ]


def test_etl_never_imports_streamlit_ui_or_pages():
    assert _offenders(files("etl"), lambda m: any(_is(m, p) for p in ("streamlit", "ui", "app_pages", "app"))) == []


def test_ui_never_imports_pages():
    assert _offenders(files("ui"), lambda m: _is(m, "app_pages") or m == "app") == []


def _above_ground_floor(module: str) -> bool:
    if not _is(module, "etl") or module == "etl":
        return False
    return not any(_is(module, allowed) for allowed in (*GROUND_FLOOR, "etl.warehouse"))


def test_warehouse_stands_on_the_ground_floor_only():
    assert _offenders(files("etl/warehouse"), _above_ground_floor) == []


@pytest.mark.parametrize("floor", ["etl/catalog", "etl/config.py", "etl/records.py", "etl/issues.py"])
def test_ground_floor_imports_only_the_ground_floor(floor):
    def above(module: str) -> bool:
        return _is(module, "etl") and module != "etl" and not any(_is(module, g) for g in GROUND_FLOOR)

    assert _offenders(files(floor), above) == []


def test_the_checker_sees_lazy_imports(tmp_path):
    """A test that cannot fail is a defect: an import inside a function is found."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from etl import backup\n    import streamlit as st\n", encoding="utf-8")
    assert {"etl", "etl.backup", "streamlit"} <= imports_of(module)
    assert _above_ground_floor("etl.backup") and not _above_ground_floor("etl.catalog.model")

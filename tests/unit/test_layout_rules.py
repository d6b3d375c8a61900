"""The size rules of docs/architecture.md: folders, modules and functions a reader takes in at a glance.

The import rules (layers, feature order) are import-linter's contracts in pyproject.toml; these are the sizes.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
MAX_MODULES_PER_FOLDER = 15
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 50
# Functions still over the limit, to be split (issue #16). The list may only shrink: a listed function that
# now fits fails the test too, so that it is taken off.
STILL_LONG: set[str] = set()


def _modules() -> list[Path]:
    return sorted(path for path in APP.rglob("*.py") if "__pycache__" not in path.parts)


def test_no_folder_of_app_holds_more_than_15_modules():
    folders: dict[Path, int] = {}
    for path in _modules():
        if path.name != "__init__.py":
            folders[path.parent] = folders.get(path.parent, 0) + 1
    crowded = {
        str(folder.relative_to(APP.parent)): n for folder, n in folders.items() if n > MAX_MODULES_PER_FOLDER
    }
    assert not crowded, crowded


def test_no_module_is_over_450_lines():
    long = {
        str(p.relative_to(APP.parent)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_every_function_fits_on_a_screen():
    long = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            if is_function and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                long.add(f"{path.relative_to(APP.parent)} {node.name}")
    assert long - STILL_LONG == set(), "new functions over 50 lines: split them"
    assert STILL_LONG - long == set(), "these now fit: take them off STILL_LONG"

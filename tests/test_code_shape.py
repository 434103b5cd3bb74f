"""The shape the code keeps (issue 19): a module a reader can hold in mind, a function that fits
a screen. A module over 500 lines, or a function over 60 (its docstring not counted), says why
in its docstring ("on purpose": a declarative catalogue, one entry per item). Complexity and
statement counts are held by ruff (C901, PLR0912, PLR0915 in pyproject.toml, `make lint`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

MODULE_LINES = 500
FUNCTION_LINES = 60
SOURCES = sorted(p for folder in ("sim", "agents") for p in (ROOT / folder).rglob("*.py"))


def says_why(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module) -> bool:
    doc = ast.get_docstring(node) or ""
    return "on purpose" in " ".join(doc.split())


def code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's lines from its signature to its end, its docstring (with its examples) not
    counted: what has to fit a screen is the code."""
    lines = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    if ast.get_docstring(node) is not None and isinstance(first, ast.Expr):
        lines -= (first.end_lineno or first.lineno) - first.lineno + 1
    return lines


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_modules_and_functions_fit_a_reader(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINES or says_why(tree), f"{lines} lines; the docstring says not why"
    long = [
        f"{node.name} ({code_lines(node)} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and code_lines(node) > FUNCTION_LINES
        and not says_why(node)
    ]
    assert not long, f"functions over {FUNCTION_LINES} lines without a reason: {long}"


def test_the_rule_sees_a_long_function(tmp_path):
    """The check above can fail: a 61-line function without a reason is caught."""
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES))
    tree = ast.parse(f"def f():\n{body}\n")
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef)
    assert code_lines(node) > FUNCTION_LINES and not says_why(node)

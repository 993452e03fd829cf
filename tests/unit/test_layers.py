"""The layers import only downwards (issue 8, finding 8).

core (pipelines/ except app/)  <-  ingest  <-  domains  <-  eval  <-  app (pipelines/app/)
`eval/metrics` is a leaf: pure functions any layer may use (domains score with it).
Every import of a rightsized module, at module level or inside a function, is checked: a lazy
import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAYERS = {"core": 0, "metrics": 0, "ingest": 1, "domains": 2, "eval": 3, "app": 4}


def _layer_of_file(path: Path) -> str:
    rel = path.relative_to(REPO).parts
    if rel[0] == "pipelines":
        return "app" if rel[1] == "app" else "core"
    if rel[0] == "eval" and rel[1] == "metrics":
        return "metrics"
    return rel[0]


def _layer_of_module(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "rightsized" or len(parts) < 2:
        return None
    if parts[1] == "pipelines":
        return "app" if len(parts) > 2 and parts[2] == "app" else "core"
    if parts[1] == "eval" and len(parts) > 2 and parts[2] == "metrics":
        return "metrics"
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


SOURCES = sorted(p for folder in ("pipelines", "ingest", "domains", "eval") for p in (REPO / folder).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_imports_point_down_the_layers(path: Path) -> None:
    mine = _layer_of_file(path)
    upward = []
    for line, module in _imports(path):
        theirs = _layer_of_module(module)
        if theirs is None:
            continue
        allowed = theirs == mine or LAYERS[theirs] < LAYERS[mine] or theirs == "metrics"
        if mine == "metrics" and theirs != "metrics":
            allowed = False
        if not allowed:
            upward.append(f"line {line}: {module} ({mine} -> {theirs})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_top_level_package_names(path: Path) -> None:
    """Finding 9: imports of the bare `pipelines`, `domains`, `ingest` or `eval` would pick up a
    user's own folder of that name; everything goes through `rightsized.`."""
    bare = [f"line {line}: {module}" for line, module in _imports(path)
            if module.split(".")[0] in ("pipelines", "domains", "ingest", "eval")]
    assert not bare


def test_shared_layers_name_no_domain() -> None:
    """Nothing domain-specific in the CLI, ops, grid, scoring, report or recommend."""
    shared = [*(REPO / "pipelines").rglob("*.py"), *(REPO / "eval").rglob("*.py"), *(REPO / "ingest").rglob("*.py"),
              *(REPO / "domains").glob("*.py")]
    names = ("bfsi_kyc", "kyc", "applicant", "sanction", "decision_accuracy", "as_of", "as-of")
    hits = [f"{p.relative_to(REPO)}: {n}" for p in shared for n in names
            if n in p.read_text(encoding="utf-8").lower() and not _only_in_examples(p, n)]
    assert not hits, hits


def _only_in_examples(path: Path, name: str) -> bool:
    """Docstring usage examples and comments may name the shipped domain; code may not."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and name in node.value.lower():
            parent_is_docstring = any(
                isinstance(owner, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and owner.body and isinstance(owner.body[0], ast.Expr) and owner.body[0].value is node
                for owner in ast.walk(tree))
            if not parent_is_docstring:
                return False
        if isinstance(node, ast.Name) and name in node.id.lower():
            return False
        if isinstance(node, ast.Attribute) and name in node.attr.lower():
            return False
    return True

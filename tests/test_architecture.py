"""The package's layers import downward only, and nobody outside the engine uses its private
names: engine <- library <- tools that show a graph <- the lab <- the command line."""

import ast
import sys
from pathlib import Path

import pytest

import tinygrad_lab

PACKAGE = Path(tinygrad_lab.__file__).parent
LAYERS = {  # module (relative to the package) -> its layer; a subpackage's modules share one
    "engine": 0,
    "version": 1, "files": 1, "data": 1, "nn": 1, "optim": 1, "train": 1, "metrics": 1,
    "seeding": 1, "pipes": 1,
    "graph": 2, "explain": 2, "viz": 2, "plot": 2, "animate": 2,
    "lab": 3,
    "cli": 4, "cli_parser": 4, "cli_checks": 4, "cli_report": 4, "__main__": 4,
}
FILES = sorted(path for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"
               or path.parent != PACKAGE)


def module_of(path):
    """("engine", "tensor") for tinygrad_lab/engine/tensor.py."""
    return path.relative_to(PACKAGE).with_suffix("").parts


def imports(path):
    """(absolute module parts within the package or None, top-level name) of each import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_of(path)[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield None, alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield None, node.module.split(".")[0], node.lineno
                continue
            base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
            target = (*base, *(node.module.split(".") if node.module else ()))
            for alias in node.names:  # a submodule of ``target``, or a name defined in it
                submodule = (*target, alias.name)
                yield submodule if is_module(submodule) else target, None, node.lineno


def is_module(parts):
    path = PACKAGE.joinpath(*parts)
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def layer(parts):
    """A module's layer; the package root, which only re-exports, is above them all."""
    return LAYERS[parts[0]] if parts else max(LAYERS.values()) + 1


def test_every_module_has_a_layer():
    assert {module_of(path)[0] for path in FILES} == set(LAYERS)


@pytest.mark.parametrize("path", [p for p in FILES if module_of(p)[0] == "engine"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_engine_imports_numpy_and_the_standard_library_only(path):
    for inside, top, line in imports(path):
        if inside is None:
            assert top == "numpy" or top in sys.stdlib_module_names, f"{path}:{line}: {top}"
        else:
            assert inside[0] == "engine", f"{path}:{line} imports {'.'.join(inside)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_layer_above_it(path):
    own = layer(module_of(path))
    for inside, _, line in imports(path):
        if inside:
            assert layer(inside) <= own, f"{path}:{line} imports {'.'.join(inside)}"


PRIVATE_TENSOR_NAMES = {name for name in tinygrad_lab.Tensor.__slots__ if name.startswith("_")}


@pytest.mark.parametrize("path", [p for p in FILES if module_of(p)[0] != "engine"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nobody_outside_the_engine_uses_its_private_names(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in PRIVATE_TENSOR_NAMES, f"{path}:{node.lineno}: .{node.attr}"
        if isinstance(node, ast.ImportFrom) and node.module and "engine" in node.module:
            for alias in node.names:
                assert not alias.name.startswith("_"), f"{path}:{node.lineno}: {alias.name}"

"""The code a notebook builds by hand is, character for character, the code of ``helpers``.

A code cell whose first line is a marker says which piece of ``helpers`` it writes:

* ``# helpers/network.py: NeuralNetwork.train``: the cell defines ``def train`` and makes
  it a method (``NeuralNetwork.train = train``), as notebook 02 builds its class one
  method at a time;
* ``# helpers/layers.py: Dense``: the cell defines ``class Dense``. Methods that other
  marked cells add to it (``# helpers/layers.py: Dense.forward``) are left out of the class
  in the module too before the two are compared, so a class can be built in several cells;
* ``# helpers/augment.py: rotate_and_shift``: the cell defines the function.

:data:`BUILT_BY_HAND` lists, for each notebook, the pieces it must write; a notebook may
mark no piece twice, and no marked piece may differ from the module. The tests live in
``tests/test_notebook_cells.py``; ``tests/test_network.py`` uses the same functions for
notebook 02.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import re
import textwrap

MARKER = re.compile(r"# helpers/(\w+)\.py: (\w+(?:\.\w+)?)")


def _sequential_methods(*names: str) -> list[str]:
    return [f"Sequential.{name}" for name in names]


#: notebook file -> {module: the pieces (functions, classes, Class.method) it writes}
BUILT_BY_HAND: dict[str, dict[str, list[str]]] = {
    "02_network_by_hand.ipynb": {
        "network": [f"NeuralNetwork.{name}" for name in (
            "__init__", "forward", "query", "predict", "loss", "backward", "gradients", "train")],
    },
    "07_better_training.ipynb": {
        "layers": ["Dense", "Dense.forward", "Dense.backward", "Sigmoid", "ReLU",
                   "SoftmaxCrossEntropy",
                   *_sequential_methods("parameters", "gradients", "scores", "_forward",
                                        "query", "predict", "loss", "backpropagate", "train")],
        "optimizers": ["SGD.step", "SGD.decay", "Momentum", "Adam", "Adam.step"],
        "augment": ["rotate_and_shift", "random_rotations_and_shifts"],
    },
    "08_convolutional_network_by_hand.ipynb": {
        "conv": ["Reshape", "Flatten", "Conv2D", "Conv2D.forward", "Conv2D.backward",
                 "MaxPool2D", "MaxPool2D.forward", "MaxPool2D.backward"],
    },
    "09_reading_a_whole_number.ipynb": {
        "whole_numbers": ["find_pieces", "join_pieces", "split_wide", "read_number"],
    },
}


def _normalise(source: str) -> str:
    """Dedented, trailing spaces gone, runs of blank lines made one, no blank lines at the ends."""
    lines = [line.rstrip() for line in textwrap.dedent(source).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def _segment(source: str, node: ast.AST, leave_out: set[str] = frozenset()) -> str:
    """The text of ``node`` (with its decorators); for a class, without the methods named in
    ``leave_out``."""
    lines = source.split("\n")
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    keep = list(range(first - 1, node.end_lineno))
    if isinstance(node, ast.ClassDef):
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in leave_out:
                start = min([item.lineno] + [d.lineno for d in item.decorator_list])
                drop = set(range(start - 1, item.end_lineno))
                keep = [i for i in keep if i not in drop]
    return _normalise("\n".join(lines[i] for i in keep))


def piece_source(source: str, piece: str, leave_out: set[str] = frozenset()) -> str | None:
    """The text of ``piece`` ("f", "Class" or "Class.method") in ``source``; a method is
    found in its class or, as in a notebook cell, as a function at the top level. None if
    ``source`` has no such piece."""
    tree = ast.parse(textwrap.dedent(source))
    source = textwrap.dedent(source)
    top = {node.name: node for node in tree.body
           if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    if "." not in piece:
        node = top.get(piece)
        return None if node is None else _segment(source, node, leave_out)
    cls_name, method = piece.split(".")
    cls = top.get(cls_name)
    if isinstance(cls, ast.ClassDef):
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == method:
                return _segment(source, item)
    node = top.get(method)
    return _segment(source, node) if isinstance(node, ast.FunctionDef) else None


def _marked_cells(nb) -> list[tuple[str, str, str]]:
    """(module, piece, source) of each marked code cell, in order."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            match = MARKER.fullmatch(cell.source.split("\n")[0].strip())
            if match:
                cells.append((match.group(1), match.group(2), cell.source))
    return cells


def attached_methods(nb) -> set[tuple[str, str]]:
    """(module, "Class.method") of the methods written in cells of their own."""
    return {(module, piece) for module, piece, _ in _marked_cells(nb) if "." in piece}


def _left_out(attached: set[tuple[str, str]], module: str, cls: str) -> set[str]:
    return {piece.split(".")[1] for mod, piece in attached
            if mod == module and piece.split(".")[0] == cls}


def notebook_pieces(nb) -> dict[tuple[str, str], list[str]]:
    """(module, piece) -> the sources that the notebook's marked cells give for it.

    A cell marked ``Class.method`` must define the function and attach it to the class
    (``Class.method = method``); a cell marked ``Class`` gives the class without the
    methods attached in cells of their own, and each method written inside it."""
    found: dict[tuple[str, str], list[str]] = {}
    attached = attached_methods(nb)
    for module, piece, source in _marked_cells(nb):
        if "." in piece:
            cls_name, method = piece.split(".")
            text = piece_source(source, method)
            attaches = re.search(rf"^{cls_name}\.{method} = {method}\b", source, flags=re.M)
            found.setdefault((module, piece), []).append(
                text if text is not None and attaches else
                f"<the cell does not define {method} and set {cls_name}.{method} = {method}>")
            continue
        text = piece_source(source, piece, _left_out(attached, module, piece))
        found.setdefault((module, piece), []).append(
            text if text is not None else f"<the cell does not define {piece}>")
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef) and node.name == piece:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        found.setdefault((module, f"{piece}.{item.name}"), []).append(
                            _segment(source, item))
    return found


def module_piece(module: str, piece: str, leave_out: set[str] = frozenset()) -> str | None:
    """The text of ``piece`` in ``helpers/<module>.py`` (a class without ``leave_out``)."""
    return piece_source(inspect.getsource(importlib.import_module(f"helpers.{module}")),
                        piece, leave_out)


def differences(file: str, nb, built: dict[str, list[str]] | None = None) -> list[str]:
    """What differs between a notebook's marked cells and ``helpers``, in words: a piece
    of ``built`` (by default ``BUILT_BY_HAND[file]``) not written once, or any marked piece
    that is not the module's."""
    built = BUILT_BY_HAND.get(file, {}) if built is None else built
    in_notebook = notebook_pieces(nb)
    attached = attached_methods(nb)
    required = {(module, piece) for module, pieces in built.items() for piece in pieces}
    problems = []
    for module, piece in sorted(required | set(in_notebook)):
        cells = in_notebook.get((module, piece), [])
        marker = f"# helpers/{module}.py: {piece}"
        if len(cells) != 1:
            problems.append(f"{file} has {len(cells)} cells that write {piece} "
                            f"(marked '{marker}', or inside its class), expected 1")
            continue
        leave_out = set() if "." in piece else _left_out(attached, module, piece)
        expected = module_piece(module, piece, leave_out)
        if expected is None:
            problems.append(f"{file} marks '{marker}', which helpers/{module}.py does not have")
        elif cells[0] != expected:
            diff = "\n".join(difflib.unified_diff(
                expected.splitlines(), cells[0].splitlines(), f"helpers/{module}.py",
                f"notebooks/{file}", lineterm=""))
            problems.append(f"{piece} differs:\n{diff}")
    return problems

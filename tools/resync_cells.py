"""Rewrite a notebook's cells that write a piece of helpers from the module's code.

A code cell that starts with a marker such as ``# helpers/layers.py: Dense.forward`` holds
that piece of helpers, character for character (``tests/notebook_cells.py`` checks it).
After a change to the module, this script copies the module's code into every marked cell
(a method cell keeps the line that attaches it to its class; a class cell leaves out the
methods that have cells of their own). Outputs are left as they are: re-execute the
notebook afterwards and read the prose around the cells.

    python tools/resync_cells.py notebooks/07_better_training.ipynb [--check]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_mechanism():
    """tests/notebook_cells.py, which finds the pieces (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("notebook_cells",
                                                  ROOT / "tests" / "notebook_cells.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resync(path: Path, write: bool = True) -> list[str]:
    """Rewrite the marked cells of the notebook at ``path``; the pieces that changed."""
    cells_module = load_mechanism()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    marked = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        match = cells_module.MARKER.fullmatch(source.split("\n")[0].strip())
        if match:
            marked.append((cell, source, match.group(1), match.group(2)))
    attached = {(module, piece) for _, _, module, piece in marked if "." in piece}
    changed = []
    for cell, source, module, piece in marked:
        first_line = source.split("\n")[0]
        if "." in piece:
            cls, method = piece.split(".")
            code = cells_module.module_piece(module, piece)
            attach = re.search(rf"^{cls}\.{method} = {method}\b.*$", source, flags=re.M)
            attach_line = attach.group(0) if attach else f"{cls}.{method} = {method}"
            new = f"{first_line}\n{code}\n\n\n{attach_line}"
        else:
            leave_out = {other.split(".")[1] for mod, other in attached
                         if mod == module and other.split(".")[0] == piece}
            code = cells_module.module_piece(module, piece, leave_out)
            new = f"{first_line}\n{code}"
        if code is None:
            raise SystemExit(f"{path}: helpers/{module}.py has no {piece}")
        if new != source:
            changed.append(piece)
            lines = new.split("\n")
            cell["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    if changed and write:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit with status 1 if a cell would change")
    arguments = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    any_changed = False
    for path in arguments.notebooks:
        changed = resync(path, write=not arguments.check)
        any_changed |= bool(changed)
        if changed:
            verb = "would change" if arguments.check else "rewrote"
            print(f"{path}: {verb} {', '.join(changed)}; re-execute the notebook")
    return 1 if arguments.check and any_changed else 0


if __name__ == "__main__":
    sys.exit(main())

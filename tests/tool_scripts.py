"""The scripts of tools/ as modules, for the tests (tools/ is a folder of scripts, not a
package): ``load_tool("sync_notebooks")`` runs tools/sync_notebooks.py as a module and
returns it, without writing bytecode into the clone."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent / "tools"


def load_tool(name: str) -> types.ModuleType:
    """tools/<name>.py as a module, registered as ``sys.modules[name]`` (dataclasses look
    their module up there) unless a module of that name is there already."""
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    dont_write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
    return module

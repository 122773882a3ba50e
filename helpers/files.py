"""Writing a file whole or not at all.

A network being saved, or MNIST being converted after a download, takes a moment. If the
kernel is interrupted or the disk fills up halfway, the file must not be left half
written, and an older file of the same name must not be lost. :func:`atomic_write` writes
under a temporary name in the same folder and renames the file into place only when it is
complete: a rename within a folder replaces the old file in one step.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """Open ``path`` for writing bytes, so that it is replaced whole or not at all.

    ::

        with atomic_write("models/my_network.npz") as file:
            file.write(...)

    The bytes go to a hidden file next to ``path`` (``.<name>.<random>.part``), made with
    the permissions any new file of yours gets (those of your umask). When the block ends
    normally, that file becomes ``path``, replacing any file there; when the block raises
    (an error, or Ctrl-C / "interrupt kernel"), it is deleted and ``path`` is left as it
    was. The folder is made if it does not exist.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "xb") as file:  # "x": a new file, never one that exists
            yield file
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise

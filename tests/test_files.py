"""Tests of helpers/files.py: a file is written whole or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from helpers.files import atomic_write


def test_a_complete_write_replaces_the_file(tmp_path):
    path = tmp_path / "folder" / "made" / "out.bin"  # the folders are made
    with atomic_write(path) as file:
        file.write(b"first")
    with atomic_write(path) as file:
        file.write(b"second")
        assert path.read_bytes() == b"first"  # not replaced until the block ends
    assert path.read_bytes() == b"second"
    assert [p.name for p in path.parent.iterdir()] == ["out.bin"]  # no temporary file left


@pytest.mark.parametrize("interruption", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file_and_nothing_else(tmp_path, interruption):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with pytest.raises(type(interruption)):
        with atomic_write(path) as file:
            file.write(b"half of the new")
            raise interruption
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_the_file_gets_the_permissions_of_any_new_file_without_touching_the_umask(
        tmp_path, monkeypatch):
    """Like a file made with open(): the umask decides, and the umask is never changed (a
    program with threads would see it change under its feet)."""
    def no_umask(mask):
        raise AssertionError("atomic_write must not change the process's umask")

    reference = tmp_path / "reference.bin"
    with open(reference, "xb"):
        pass
    monkeypatch.setattr(os, "umask", no_umask)
    with atomic_write(tmp_path / "out.bin") as file:
        file.write(b"x")
    mode = stat.S_IMODE((tmp_path / "out.bin").stat().st_mode)
    assert mode == stat.S_IMODE(reference.stat().st_mode)

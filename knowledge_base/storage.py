"""A saved index on disk, shared by processes: one builder at a time, readers never see half.

Several processes may open the same index directory (an action server rebuilding it after
``civic kb reload`` while the console loads it, two action servers on one volume). Builders
hold an exclusive lock (``flock`` on a file beside the directory), readers a shared one, and a
new index is written to a temporary directory first, then swapped in by renames."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from knowledge_base.manifest import MANIFEST


def _lock_path(index_dir: Path) -> Path:
    return index_dir.with_name(f".{index_dir.name}.lock")


@contextlib.contextmanager
def index_lock(index_dir: Path, exclusive: bool) -> Iterator[None]:
    """Hold the index directory's lock (exclusive to build, shared to read) for the block.
    Blocks until it is free; released when the block ends or the process dies. A reader that
    cannot create the lock file (a read-only index nobody builds) reads without it."""
    path = _lock_path(index_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError:
        if exclusive:
            raise
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def staging_dir(index_dir: Path) -> Path:
    """An empty directory beside index_dir to write a new index into (same file system)."""
    staging = index_dir.with_name(f".{index_dir.name}.new-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def replace_dir(staging: Path, index_dir: Path) -> None:
    """Put the directory ``staging`` in the place of ``index_dir`` (two renames; the old one is
    removed afterwards). Call with the exclusive lock held."""
    old = index_dir.with_name(f".{index_dir.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    if index_dir.exists():
        index_dir.rename(old)
    staging.rename(index_dir)
    shutil.rmtree(old, ignore_errors=True)


def seed_index(seed: Path, index_dir: Path) -> bool:
    """Copy a pre-built index (the image's, built when the image was) into an index directory
    that has none yet. Opening then checks it against the guides as always: when they are the
    image's, nothing is embedded; when an editor changed some, only theirs are (the vectors of
    every unchanged chunk come from the seed). True when it copied."""
    if (index_dir / MANIFEST).exists() or not (seed / MANIFEST).exists():
        return False
    with index_lock(index_dir, exclusive=True):
        if (index_dir / MANIFEST).exists():
            return False
        staging = staging_dir(index_dir)
        # the contents only, not the modes: an image's files and folders are read-only, and an
        # index copied with their modes could never be replaced (its folder's entries cannot be
        # unlinked without write access to it, and a pod has no capability to override that)
        for folder, _, files in os.walk(seed):
            target = staging / Path(folder).relative_to(seed)
            target.mkdir(exist_ok=True)
            for name in files:
                shutil.copyfile(Path(folder) / name, target / name)
        replace_dir(staging, index_dir)
    return True

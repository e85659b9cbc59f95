"""Files holding health data or secrets: created owner-only (0600), never through a symlink,
never over an existing file unless the caller says so."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE = 0o600
PRIVATE_DIR = 0o700
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class UnsafePath(Exception):
    """The target is a symlink, not a regular file, or exists and may not be replaced."""


def create_private(path: Path, *, force: bool = False) -> int:
    """Create `path` empty with mode 0600 and return a descriptor open for writing.

    O_EXCL with O_NOFOLLOW refuses a symlink planted at the target (even a dangling one), so
    nothing is ever written where the link points. `force` replaces an existing regular file
    (the old one is unlinked, never truncated through a link)."""
    path = Path(path)
    if os.path.lexists(path):
        if path.is_symlink():
            raise UnsafePath(f"{path} is a symbolic link; refusing to write through it")
        if not path.is_file():
            raise UnsafePath(f"{path} exists and is not a regular file")
        if not force:
            raise UnsafePath(f"{path} exists; use --force to replace it")
        path.unlink()
    try:
        fd = os.open(path, _CREATE, PRIVATE)
    except FileExistsError:
        raise UnsafePath(f"{path} appeared while it was being created; not replaced") from None
    # The umask can only remove bits; set the mode exactly in case it was unusual.
    os.fchmod(fd, PRIVATE)
    return fd


def open_existing_for_writing(path: Path) -> int:
    """Truncate and open a file the caller created (e.g. with create_private or mkstemp),
    refusing a symlink swapped in since."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePath(f"{path} is not a regular file")
    return fd


def read_regular(path: Path) -> bytes:
    """Read a file without following a symlink at `path`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if Path(path).is_symlink():
            raise UnsafePath(f"{path} is a symbolic link; refusing to read through it") from None
        raise error
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise UnsafePath(f"{path} is not a regular file")
        return stream.read()


def make_private_dir(path: Path) -> None:
    """Create a directory (and parents) that only the owner may enter; existing ones are kept."""
    Path(path).mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)


def ensure_sqlite_file(database: str) -> None:
    """Create a not-yet-existing SQLite database file 0600 before SQLite does (SQLite would
    make it 0644). Its -wal and -shm files take the database file's mode."""
    path = Path(database)
    if os.path.lexists(path):
        if path.is_symlink() and not path.exists():
            raise UnsafePath(f"{path} is a dangling symbolic link; refusing to create through it")
        return
    make_private_dir(path.parent)
    # Another process may have created it first: fine, SQLite opens that one.
    with contextlib.suppress(UnsafePath):
        os.close(create_private(path))

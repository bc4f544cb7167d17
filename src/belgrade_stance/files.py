"""Atomic file and folder writes: a reader sees the old version or the new one, never a half.

Every file the project writes (data/, the card, figures, results, the Hub folder, the viewer,
raw annotations from Label Studio) goes through these two helpers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write(path: Path, content: str | bytes, mode: int = 0o644) -> Path:
    """Write content to path through a temporary file in the same folder and os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 with RENAME_EXCHANGE): no moment at
    which either name is missing. False where the system cannot (the caller falls back)."""
    import ctypes
    import ctypes.util
    import errno

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextmanager
def folder_swap(target: Path, prefix: str) -> Iterator[Path]:
    """A new, empty folder beside target to fill; when the block ends without an error it
    replaces target whole, and on an error it is removed and target is left as it was.

    The replacement is one atomic exchange of the two folders where the system supports it
    (Linux), so a reader never finds target missing; elsewhere the old folder is renamed aside
    and the new one renamed in. The old content is removed afterwards."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{prefix}-new-", dir=target.parent))
    try:
        yield new
        os.chmod(new, 0o755)
        if target.exists() and exchange(new, target):
            shutil.rmtree(new, ignore_errors=True)  # now the old content
            return
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{prefix}-old-", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        try:
            os.replace(new, target)
        except BaseException:
            if old is not None:
                os.replace(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


@contextmanager
def exclusive(lock_file: Path, waiting: str = "") -> Iterator[None]:
    """Hold an exclusive advisory lock (fcntl.flock) on lock_file for the block: processes that
    write the same folder take turns. Prints `waiting` to stderr once if another holds it."""
    import fcntl
    import sys

    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                print(waiting, file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

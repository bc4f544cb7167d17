"""Atomic file and folder writes: a reader sees the old version or the new one, never a half;
every file the project writes goes through them."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STOPPED: list[int] = []
"""The signal that asked the command to stop, kept: a library may swallow its KeyboardInterrupt."""


def stop_on_signals() -> None:
    """SIGINT and SIGTERM raise KeyboardInterrupt once (not twice: cleanup runs), kept in STOPPED."""

    def stop(signum, frame):
        if not STOPPED:
            STOPPED.append(signum)
            raise KeyboardInterrupt(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)


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


@contextmanager
def folder_swap(target: Path, prefix: str) -> Iterator[Path]:
    """A new, empty folder beside target to fill; when the block ends without an error it
    replaces target whole, and on an error it is removed and target is left as it was.

    The old folder is renamed aside, the new one renamed in, and the old one removed. A process
    killed between the two renames leaves the old folder aside: `clear_leftovers` (the next run)
    puts it back."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{prefix}-new-", dir=target.parent))
    try:
        yield new
        os.chmod(new, 0o755)
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:  # SIGINT and SIGTERM wait until the renames are done
            if STOPPED:  # interrupted, though the block did not say so: never swap
                raise KeyboardInterrupt(STOPPED[0])
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
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def clear_leftovers(target: Path, prefix: str) -> None:
    """Remove the temporary folders of a folder_swap that was killed; if it was killed between its
    two renames (target missing, the old folder aside), put the old folder back first."""
    target = Path(target)
    for old in sorted(target.parent.glob(f".{prefix}-old-????????")):
        if not target.exists():
            os.replace(old, target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for new in target.parent.glob(f".{prefix}-new-????????"):
        shutil.rmtree(new, ignore_errors=True)


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

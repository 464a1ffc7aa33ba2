"""A content-addressed on-disk cache for analysis results (per module and per function).

Used by ``least_priv.analysis.loading``, which decides what a key covers (docs/speed.md).

Entries live in ``$XDG_CACHE_HOME/least-priv/v1/`` (``~/.cache/least-priv/v1/`` when the
variable is unset), one file per key, sharded by the first two hex digits. A key is the
SHA-256 of everything that determines the value (file bytes, tool version, catalog
version), so an entry never needs invalidating: a changed input is simply another key.

Safe under concurrent runs: a writer writes a private temporary file in the same directory
and publishes it with ``os.replace``, which is atomic on POSIX, so a reader sees either no
entry or a whole one; two writers of the same key write the same bytes. A corrupt or
truncated entry (e.g. a disk filled up mid-write) reads as a miss. The size bound is kept
by pruning the least recently used entries (by mtime, refreshed on every hit) once the
cache passes its limit: checked after every sixteenth of the limit written by one process,
and by the first write of a process when no check ran for a day (many small CI runs, none
of which writes much, must not grow the cache without bound).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from pathlib import Path

DEFAULT_LIMIT_BYTES = 256 * 1024 * 1024
_MAGIC = b"LPC1"
_PRUNE_STAMP = ".pruned"  # its mtime: when the size was last checked
_PRUNE_EVERY_SECONDS = 24 * 3600


def default_directory() -> Path:
    """The cache directory, following the XDG base-directory convention."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "least-priv" / "v1"


def make_key(*parts: bytes | str) -> str:
    """A hex key for the given parts (length-prefixed so that part boundaries matter)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """A directory of immutable entries keyed by content hash."""

    def __init__(self, directory: Path | None = None, limit_bytes: int = DEFAULT_LIMIT_BYTES):
        self.directory = directory or default_directory()
        self.limit_bytes = limit_bytes
        self._written = 0
        self._stamp_checked = False

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key[2:]

    def get(self, key: str) -> bytes | None:
        """The stored bytes for ``key``, or None on a miss (or an unreadable entry)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        checksum, body = data[len(_MAGIC) : len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
        if not data.startswith(_MAGIC) or hashlib.sha256(body).digest() != checksum:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # mark as recently used for pruning
        return body

    def put(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``; errors (read-only disk, full disk) are ignored.

        The cache only ever speeds things up, so failing to write must not fail the run.
        """
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_MAGIC + hashlib.sha256(value).digest() + value)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return
        self._written += len(value)
        if self._written > self.limit_bytes // 16 or self._prune_due():
            self._written = 0
            self.prune()

    def _prune_due(self) -> bool:
        """True once per process when the last size check is over a day old (or never ran)."""
        if self._stamp_checked:
            return False
        self._stamp_checked = True
        try:
            last = (self.directory / _PRUNE_STAMP).stat().st_mtime
        except OSError:
            return True
        return time.time() - last > _PRUNE_EVERY_SECONDS

    def prune(self) -> None:
        """Delete least recently used entries until the cache is under its limit."""
        with contextlib.suppress(OSError):
            (self.directory / _PRUNE_STAMP).touch()
        entries: list[tuple[float, int, Path]] = []
        total = 0
        for shard in self.directory.glob("??"):
            for entry in shard.iterdir():
                with contextlib.suppress(OSError):
                    stat = entry.stat()
                    entries.append((stat.st_mtime, stat.st_size, entry))
                    total += stat.st_size
        if total <= self.limit_bytes:
            return
        for _, size, entry in sorted(entries):
            with contextlib.suppress(OSError):
                entry.unlink()
                total -= size
            if total <= self.limit_bytes * 3 // 4:
                break

"""The content-addressed cache: hits, misses, corruption, concurrency and the size bound."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from least_priv.cache import Cache, default_directory, make_key


def test_round_trip_and_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = make_key(b"import boto3\n", "0.1.0", "catalog-2026-10-27")
    assert cache.get(key) is None
    cache.put(key, b'{"calls": []}')
    assert cache.get(key) == b'{"calls": []}'


def test_key_depends_on_every_part_and_its_boundaries() -> None:
    assert make_key("ab", "c") != make_key("a", "bc")
    assert make_key(b"x", "1") != make_key(b"x", "2")


def test_truncated_or_foreign_entry_reads_as_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = make_key("module")
    cache.put(key, b"payload" * 100)
    entry = tmp_path / key[:2] / key[2:]
    entry.write_bytes(entry.read_bytes()[:-10])
    assert cache.get(key) is None
    entry.write_bytes(b"not a cache entry")
    assert cache.get(key) is None


def test_concurrent_writers_leave_one_whole_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = make_key("shared")
    value = os.urandom(200_000)
    threads = [threading.Thread(target=cache.put, args=(key, value)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get(key) == value
    leftovers = [p for p in (tmp_path / key[:2]).iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_prune_keeps_recently_used_entries_under_the_limit(tmp_path: Path) -> None:
    cache = Cache(tmp_path, limit_bytes=10_000)
    keys = [make_key(str(i)) for i in range(10)]
    for age, key in enumerate(keys):
        cache.put(key, b"x" * 2_000)
        entry = tmp_path / key[:2] / key[2:]
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    cache.prune()
    kept = [k for k in keys if cache.get(k) is not None]
    assert kept == keys[-len(kept) :], "oldest entries go first"
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) <= 10_000


def test_unwritable_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = Cache(blocker / "cache")
    cache.put(make_key("k"), b"v")
    assert cache.get(make_key("k")) is None


def test_default_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_directory() == tmp_path / "least-priv" / "v1"


def test_many_small_runs_still_keep_the_bound(tmp_path: Path) -> None:
    """Each process writes less than its own trigger (a sixteenth of the limit); the daily
    check prunes all the same."""
    keys = [make_key("run", str(i)) for i in range(30)]
    for age, key in enumerate(keys):
        run = Cache(tmp_path, limit_bytes=40_000)  # one CI run: a new process, one entry
        run.put(key, b"y" * 2_000)
        os.utime(tmp_path / key[:2] / key[2:], (2_000_000 + age, 2_000_000 + age))
        os.utime(tmp_path / ".pruned", (0, 0))  # the last size check was long ago
    entries = list(tmp_path.glob("??/*"))
    assert sum(p.stat().st_size for p in entries) <= 40_000 < 30 * 2_000
    assert Cache(tmp_path).get(keys[-1]) == b"y" * 2_000  # the newest survives


def test_size_is_checked_at_most_daily_by_small_writers(tmp_path: Path) -> None:
    first = Cache(tmp_path, limit_bytes=100_000)
    first.put(make_key("a"), b"z" * 100)  # no stamp yet: checks and stamps
    stamp = tmp_path / ".pruned"
    os.utime(stamp, (5_000_000_000, 5_000_000_000))  # checked "just now" (in the future)
    second = Cache(tmp_path, limit_bytes=100_000)
    for i in range(5):
        second.put(make_key("b", str(i)), b"z" * 1_000)  # under its own trigger
    assert stamp.stat().st_mtime == 5_000_000_000  # no new check

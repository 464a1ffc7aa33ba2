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

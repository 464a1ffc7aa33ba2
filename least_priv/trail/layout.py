"""CloudTrail's S3 layout, so that only the folders of the window are read.

``[prefix/]AWSLogs/[o-<org id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz``.
Digest and Insight folders hold no API records and are skipped by name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Global services (IAM, STS global endpoint, CloudFront, Route 53...) log to us-east-1
# whatever region the caller runs in, so a region filter always keeps it.
GLOBAL_REGION = "us-east-1"
SKIPPED_FOLDERS = ("CloudTrail-Digest", "CloudTrail-Insight")

_TAIL = re.compile(
    r"(?:^|/)AWSLogs/(?:(?P<org>o-[a-z0-9]+)/)?(?P<account>\d{12})/(?P<kind>[A-Za-z-]+)/"
    r"(?P<region>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/"
)


@dataclass(frozen=True, slots=True)
class LayoutKey:
    """Where a file sits in the layout: account, region and delivery date."""

    account: str
    region: str
    day: dt.date
    organization: str = ""


def parse_key(path: str) -> LayoutKey | None:
    """The layout key of a path, or None when the path is not in CloudTrail's S3 layout."""
    match = _TAIL.search(path.replace("\\", "/"))
    if match is None or match["kind"] != "CloudTrail":
        return None
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return LayoutKey(match["account"], match["region"], day, match["org"] or "")


def is_skipped(path: str) -> bool:
    """True for digest/insight files, which carry no API records."""
    norm = path.replace("\\", "/")
    return any(f"/{name}/" in f"/{norm}" for name in SKIPPED_FOLDERS)


_DIR = re.compile(
    r"(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(?P<account>\d{12})(?:/(?P<kind>[A-Za-z-]+)"
    r"(?:/(?P<region>[a-z0-9-]+)(?:/(?P<y>\d{4})(?:/(?P<m>\d{2})(?:/(?P<d>\d{2}))?)?)?)?)?/?$"
)


@dataclass(frozen=True, slots=True)
class LayoutFilter:
    """Which layout folders to read: the window's delivery days, an account, a region."""

    days: frozenset[dt.date]
    account: str | None = None
    region: str | None = None

    def wants(self, path: str) -> bool:
        """False only when the path is in the layout and outside the filter.

        Paths outside the layout (a hand-made folder, a Lake export) are always read:
        without a date in the path nothing can be proved about them.
        """
        if is_skipped(path):
            return False
        key = parse_key(path)
        if key is None:
            return True
        if key.day not in self.days:
            return False
        if self.account and key.account != self.account:
            return False
        return not (self.region and key.region not in (self.region, GLOBAL_REGION))

    def wants_dir(self, path: str) -> bool:
        """False when no file under the folder ``path`` can be wanted (walk pruning)."""
        match = _DIR.search(path.replace("\\", "/"))
        if match is None:
            return True
        if self.account and match["account"] != self.account:
            return False
        kind = match["kind"]
        if kind is None:
            return True
        if kind in SKIPPED_FOLDERS:
            return False
        region = match["region"]
        if region is None or kind != "CloudTrail":
            return True
        if self.region and region not in (self.region, GLOBAL_REGION):
            return False
        stamp = "/".join(p for p in (match["y"], match["m"], match["d"]) if p)
        return not stamp or any(f"{day:%Y/%m/%d}".startswith(stamp) for day in self.days)

    def regions(self, available: list[str]) -> list[str]:
        """The regions to read among those present (the region asked for, plus global)."""
        if not self.region:
            return sorted(available)
        return sorted(r for r in available if r in (self.region, GLOBAL_REGION))

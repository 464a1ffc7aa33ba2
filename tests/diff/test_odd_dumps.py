"""Authorization-details exports with odd shapes: read what can be read, report the rest.

``aws iam get-account-authorization-details`` output is often hand-trimmed before it is
committed next to a function; the diff (``--policy``) and lint both read it and neither may
crash on a shape AWS would never write.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from least_priv.attached import from_files, managed_policy_documents
from least_priv.lint.engine import lint_paths

from .helpers import FIX

DUMP: dict[str, Any] = json.loads((FIX / "iam" / "authorization-details.json").read_text())
ROLE = "orders-fn-role"


def _odd(mutate: str) -> dict[str, Any]:
    data = copy.deepcopy(DUMP)
    role = data["RoleDetailList"][0]
    if mutate == "policies-true":
        data["Policies"] = True
    elif mutate == "policies-object":
        data["Policies"] = {"Arn": "arn:aws:iam::123456789012:policy/x"}
    elif mutate == "policy-string":
        data["Policies"] = ["arn:aws:iam::123456789012:policy/orders-boundary", *data["Policies"]]
    elif mutate == "versions-not-list":
        for policy in data["Policies"]:
            policy["PolicyVersionList"] = "v1"
    elif mutate == "version-not-object":
        for policy in data["Policies"]:
            policy["PolicyVersionList"] = [None, *policy["PolicyVersionList"]]
    elif mutate == "arn-not-string":
        for policy in data["Policies"]:
            policy["Arn"] = 42
    elif mutate == "role-lists-odd":
        role["RolePolicyList"] = [None, *role["RolePolicyList"]]
        role["AttachedManagedPolicies"] = ["AWSLambdaBasicExecutionRole"]
        role["PermissionsBoundary"] = "arn:aws:iam::123456789012:policy/orders-boundary"
    elif mutate == "role-list-true":
        data["RoleDetailList"] = True
    return data


ODD = [
    "policies-true",
    "policies-object",
    "policy-string",
    "versions-not-list",
    "version-not-object",
    "arn-not-string",
    "role-lists-odd",
    "role-list-true",
]


@pytest.mark.parametrize("mutate", ODD)
def test_managed_policy_documents_never_raises(mutate: str) -> None:
    found = managed_policy_documents(_odd(mutate))
    for arn, (path, _document) in found.items():
        assert isinstance(arn, str) and path[0] == "Policies"


def test_default_versions_keep_the_files_own_indexes() -> None:
    data = _odd("version-not-object")
    found = managed_policy_documents(data)
    assert found  # the real versions are still found, one index further on
    for _arn, (path, document) in found.items():
        _, i, _, j, _ = path
        assert data["Policies"][i]["PolicyVersionList"][j]["Document"] == document
        assert j >= 1


@pytest.mark.parametrize("mutate", ODD)
def test_diff_reader_reports_instead_of_crashing(tmp_path: Path, mutate: str) -> None:
    path = tmp_path / "details.json"
    path.write_text(json.dumps(_odd(mutate), indent=2))
    attached = from_files([str(path)], role=ROLE)
    if mutate == "role-list-true":
        assert [f.code for f in attached.findings] == ["LP622"]
        return
    if mutate in ("policies-true", "policies-object", "versions-not-list", "arn-not-string"):
        # No managed document is readable any more: each attachment is reported, never guessed.
        assert "LP620" in {f.code for f in attached.findings}
        assert all(
            p.source.origin.startswith("unreadable-")
            for p in attached.identity
            if p.source.origin != "inline"
        )
    assert any(p.source.origin == "inline" for p in attached.identity)


def test_odd_role_entries_are_reported_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "details.json"
    path.write_text(json.dumps(_odd("role-lists-odd"), indent=2))
    attached = from_files([str(path)], role=ROLE)
    codes = sorted(f.code for f in attached.all_findings())
    assert "LP610" in codes  # the inline entry that is not an object
    # A boundary written as a bare string is unknown: never read as "no boundary".
    assert attached.boundary is not None
    assert [p.source.origin for p in attached.boundary] == ["unreadable-boundary"]


@pytest.mark.parametrize("mutate", ODD)
def test_lint_reads_odd_dumps(tmp_path: Path, mutate: str) -> None:
    path = tmp_path / "details.json"
    path.write_text(json.dumps(_odd(mutate), indent=2))
    result = lint_paths([str(path)])
    assert result.inputs == 1
    assert not result.input_error


def test_role_lists_of_the_wrong_kind_are_unknown_not_empty(tmp_path: Path) -> None:
    data = copy.deepcopy(DUMP)
    role = data["RoleDetailList"][0]
    role["RolePolicyList"] = "orders-data"
    role["AttachedManagedPolicies"] = {"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    role["PermissionsBoundary"] = 5
    path = tmp_path / "details.json"
    path.write_text(json.dumps(data, indent=2))
    attached = from_files([str(path)], role=ROLE)
    bad = [f for f in attached.findings if f.code == "LP610"]
    assert [f.message.split(" ")[0] for f in bad] == [
        "RolePolicyList",
        "AttachedManagedPolicies",
        "PermissionsBoundary",
    ]
    assert all(f.location.line > 1 for f in bad)
    # Read as empty, the role would make every need "missing"; it is unknown instead.
    from least_priv.diff import diff_permissions

    from .helpers import orders_required

    result = diff_permissions(orders_required(), attached.policy_set())
    assert result.missing == ()
    assert result.conditional
    assert all(any("fix the export" in r for r in c.reasons) for c in result.conditional)

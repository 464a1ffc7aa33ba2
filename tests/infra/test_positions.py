"""least_priv.infra.positions: plain data, long-form intrinsics and node locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from least_priv.infra.positions import parse_file, parse_text
from least_priv.model import Location, Severity

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "infra"
SAM = FIXTURES / "sam-orders" / "template.yaml"


def _line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (the test's own oracle)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_sam_template_short_forms_become_long_forms() -> None:
    doc = parse_file(SAM)
    assert doc.findings == ()
    assert doc.format == "yaml"
    data = doc.data
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"  # not a datetime.date
    assert data["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    api_env = data["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert api_env["TABLE_NAME"] == {"Ref": "OrdersTable"}
    queue = data["Resources"]["OrderQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["OrderDLQ", "Arn"]}
    worker = data["Resources"]["WorkerFunction"]["Properties"]
    assert worker["ReservedConcurrentExecutions"] == {
        "Fn::If": ["IsProd", 20, {"Ref": "AWS::NoValue"}]
    }
    assert worker["Environment"]["Variables"]["RETENTION_DAYS"] == {
        "Fn::FindInMap": ["StageConfig", {"Ref": "Stage"}, "RetentionDays"]
    }
    resource = data["Resources"]["ReportReadPolicy"]["Properties"]["PolicyDocument"]
    assert resource["Statement"][0]["Resource"][1] == {
        "Fn::Join": ["/", [{"Fn::GetAtt": ["OrdersTable", "Arn"]}, "index", "*"]]
    }
    # Plain scalars keep their YAML types.
    assert data["Globals"]["Function"]["Timeout"] == 30
    assert data["Resources"]["OrdersTable"]["Properties"]["SSESpecification"]["SSEEnabled"] is True


def test_locations_point_at_the_right_lines() -> None:
    doc = parse_file(SAM)
    handler = ("Resources", "WorkerFunction", "Properties", "Handler")
    assert doc.location(handler) == Location(str(SAM), _line_of(SAM, "worker.handle"), 15)
    assert doc.key_location(handler).line == _line_of(SAM, "worker.handle")
    # A block mapping starts on the line after its key; key_location stays on the key.
    env = ("Resources", "ApiFunction", "Properties", "Environment")
    assert doc.key_location(env).line == doc.location(env).line - 1
    # Statement lists: each item, and each field of an item.
    stmt = ("Resources", "ReportRole", "Properties", "Policies", 0, "PolicyDocument", "Statement")
    action_line = _line_of(SAM, "Action: dynamodb:*")
    assert doc.location((*stmt, 1)).line == action_line - 1  # the "- Effect: Allow" line
    assert doc.location((*stmt, 1, "Action")).line == action_line
    assert doc.location((*stmt, 1, "Resource")).line == action_line + 1
    # Nodes made by the reader (the list of a converted !GetAtt) fall back to the tag.
    getatt = ("Resources", "OrderQueue", "Properties", "RedrivePolicy", "deadLetterTargetArn")
    tag_line = _line_of(SAM, "deadLetterTargetArn")
    assert doc.location((*getatt, "Fn::GetAtt", 1)).line == tag_line
    assert doc.exact_location((*getatt, "Fn::GetAtt", 1)) is None
    # Unknown paths fall back to the nearest ancestor that exists.
    assert doc.location(("Resources", "ApiFunction", "Nope", 3)) == doc.location(
        ("Resources", "ApiFunction")
    )
    assert doc.location(()) == Location(str(SAM), 1, 0)


def test_every_cloudformation_short_form_tag() -> None:
    text = """
A: !Ref Bucket
B: !GetAtt Db.Endpoint.Address
C: !GetAtt [Queue, Arn]
D: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
E: !Sub ["${x}-y", {x: !Ref Stage}]
F: !Join [",", [a, b]]
G: !If [IsProd, 1, 2]
H: !Select [0, !GetAZs ""]
I: !Split [",", "a,b"]
J: !FindInMap [M, K, V]
K: !Base64 "#!/bin/sh"
L: !Cidr [10.0.0.0/16, 6, 5]
M: !ImportValue shared-vpc
N: !Equals [a, b]
O: !And [!Condition C1, !Not [!Condition C2]]
P: !Or [!Condition C1, !Condition C2]
"""
    doc = parse_text(text, "t.yaml")
    assert doc.findings == ()
    assert doc.data == {
        "A": {"Ref": "Bucket"},
        "B": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
        "C": {"Fn::GetAtt": ["Queue", "Arn"]},
        "D": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"},
        "E": {"Fn::Sub": ["${x}-y", {"x": {"Ref": "Stage"}}]},
        "F": {"Fn::Join": [",", ["a", "b"]]},
        "G": {"Fn::If": ["IsProd", 1, 2]},
        "H": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "I": {"Fn::Split": [",", "a,b"]},
        "J": {"Fn::FindInMap": ["M", "K", "V"]},
        "K": {"Fn::Base64": "#!/bin/sh"},
        "L": {"Fn::Cidr": ["10.0.0.0/16", 6, 5]},
        "M": {"Fn::ImportValue": "shared-vpc"},
        "N": {"Fn::Equals": ["a", "b"]},
        "O": {"Fn::And": [{"Condition": "C1"}, {"Fn::Not": [{"Condition": "C2"}]}]},
        "P": {"Fn::Or": [{"Condition": "C1"}, {"Condition": "C2"}]},
    }
    # Tagged scalars are always strings: "!Ref 123" names a resource, not a number.
    assert parse_text("x: !Ref 123").data == {"x": {"Ref": "123"}}


def test_unknown_tag_is_a_finding_and_the_value_is_kept() -> None:
    doc = parse_text("a: 1\nb: !Reff Bucket\nc: !Custom [1, 2]\n", "bad.yaml")
    assert doc.data == {"a": 1, "b": "Bucket", "c": [1, 2]}
    assert [(f.code, f.location.line, f.location.column) for f in doc.findings] == [
        ("LP402", 2, 3),
        ("LP402", 3, 3),
    ]
    assert "!Reff" in doc.findings[0].message


def test_malformed_intrinsics_are_findings() -> None:
    doc = parse_text("a: !GetAtt Queue\nb: !Ref [x, y]\n", "t.yaml")
    assert doc.data == {"a": {"Fn::GetAtt": ["Queue"]}, "b": {"Ref": ["x", "y"]}}
    assert [(f.code, f.location.line) for f in doc.findings] == [("LP404", 1), ("LP404", 2)]


def test_yaml_syntax_error_is_a_finding_with_its_position() -> None:
    doc = parse_text("Resources:\n  Fn:\n    Type: [unclosed\n  Other: 1\n", "broken.yaml")
    assert doc.data is None
    (found,) = doc.findings
    assert found.code == "LP401"
    assert found.severity is Severity.ERROR
    assert found.location.path == "broken.yaml"
    assert found.location.line >= 3


def test_duplicate_keys_are_reported_in_yaml_and_json() -> None:
    yml = parse_text("Resources:\n  A: 1\n  B: 2\n  A: 3\n", "d.yaml")
    assert yml.data == {"Resources": {"B": 2, "A": 3}}
    assert [(f.code, f.location.line) for f in yml.findings] == [("LP403", 4)]
    assert "line 2" in yml.findings[0].message
    js = parse_text('{\n  "A": 1,\n  "A": 2\n}\n', "d.json")
    assert js.data == {"A": 2}
    assert [(f.code, f.location.line, f.location.column) for f in js.findings] == [("LP403", 3, 2)]


def test_yaml_merge_keys_and_anchors_as_serverless_files_use_them() -> None:
    text = """
custom:
  defaults: &defaults
    timeout: 10
    memorySize: 128
functions:
  a:
    <<: *defaults
    handler: a.handler
    timeout: 30
"""
    doc = parse_text(text, "serverless.yml")
    assert doc.data["functions"]["a"] == {"memorySize": 128, "handler": "a.handler", "timeout": 30}
    # Inherited keys point at the anchor's text, explicit ones at their own line.
    assert doc.location(("functions", "a", "memorySize")).line == 5
    assert doc.location(("functions", "a", "timeout")).line == 10


def test_keys_stay_strings() -> None:
    doc = parse_text("Responses:\n  200: ok\n  true: yes\n")
    assert doc.data == {"Responses": {"200": "ok", "true": True}}


def test_json_locations_and_lazy_index() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
        ],
    }
    text = json.dumps(policy, indent=2)
    doc = parse_text(text, "policy.json")
    assert doc.format == "json"
    assert doc.data == policy
    lines = text.splitlines()
    action = doc.location(("Statement", 0, "Action", 1))
    assert lines[action.line - 1][action.column :].startswith('"s3:PutObject"')
    not_action = doc.key_location(("Statement", 1, "NotAction"))
    assert lines[not_action.line - 1][not_action.column :].startswith('"NotAction"')
    assert doc.location(("Statement", 1)).line == not_action.line - 2
    assert doc.get(("Statement", 1, "Effect")) == "Deny"
    assert doc.get(("Statement", 5, "Effect"), "missing") == "missing"


def test_json_with_escapes_literals_and_compact_layout() -> None:
    text = '{"a":[1,-2.5e3,true,false,null,"x\\"y\\u00e9"],"b":{"c":{}},"d":[]}'
    doc = parse_text(text, "c.json")
    assert doc.data == {"a": [1, -2500.0, True, False, None, 'x"yé'], "b": {"c": {}}, "d": []}
    assert doc.location(("a", 5)) == Location("c.json", 1, text.index('"x'))
    assert doc.location(("b", "c")) == Location("c.json", 1, text.index("{}"))
    assert doc.location(("d",)) == Location("c.json", 1, text.index("[]"))


def test_json_syntax_error_has_line_and_column() -> None:
    doc = parse_text('{\n  "a": 1,\n}\n', "bad.json")
    assert doc.data is None
    (found,) = doc.findings
    assert (found.code, found.location.line) == ("LP401", 3)


def test_format_detection() -> None:
    assert parse_text('{"a": 1}', "template").format == "json"
    # A YAML flow mapping that is not JSON still parses when the name does not say JSON.
    flow = parse_text("{a: !Ref B}", "template.yaml")
    assert (flow.format, flow.data) == ("yaml", {"a": {"Ref": "B"}})
    assert parse_text("{a: 1}", "x.json").data is None  # a .json name insists on JSON


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    missing = parse_file(tmp_path / "nope.yaml")
    assert missing.data is None
    assert [f.code for f in missing.findings] == ["LP400"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: caf\xe9\n".encode("latin-1"))
    assert [f.code for f in parse_file(latin).findings] == ["LP400"]
    bom = tmp_path / "bom.json"
    bom.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert parse_file(bom).data == {"a": 1}


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_documents(text: str) -> None:
    doc = parse_text(text, "e.yaml")
    assert doc.data is None
    assert doc.findings == ()


def test_hostile_yaml_is_cut_not_crashed_on() -> None:
    recursive = parse_text("a: &x [1, *x]\nb: 2\n", "r.yaml")
    assert recursive.data == {"a": [1, None], "b": 2}
    assert [f.code for f in recursive.findings] == ["LP406"]
    # "Billion laughs": each level repeats the previous one nine times.
    levels = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    laughs = parse_text(levels, "l.yaml")
    assert [f.code for f in laughs.findings] == ["LP406"]
    assert laughs.data["a"] == ["x"] * 9
    deep = parse_text("a: " + "[" * 900 + "]" * 900 + "\nb: ok\n", "d.yaml")
    assert deep.data["b"] == "ok"
    assert [f.code for f in deep.findings] == ["LP406"]


def test_deep_json_is_cut_and_still_located() -> None:
    text = '{"a": ' + "[" * 900 + "]" * 900 + ', "b": [1, "x]\\""]}'
    doc = parse_text(text, "d.json")
    assert doc.data["b"] == [1, 'x]"']
    assert [f.code for f in doc.findings] == ["LP406"]
    assert doc.location(("b", 1)) == Location("d.json", 1, text.index('"x'))


def test_aliases_share_values_and_point_at_their_anchor() -> None:
    doc = parse_text("base: &d {a: 1, b: [1, 2]}\nuse: *d\nmany: [*d, *d]\n", "a.yaml")
    assert doc.data["use"] == doc.data["many"][1] == {"a": 1, "b": [1, 2]}
    assert doc.findings == ()
    assert doc.location(("many", 1)).line == 1  # the anchor's text

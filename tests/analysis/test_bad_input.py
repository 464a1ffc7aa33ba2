"""Bad input is a finding with a location, and the rest of the function is still analysed."""

from __future__ import annotations

from pathlib import Path

import pytest

from least_priv.analysis import analyze, program
from least_priv.model import Severity

HANDLER = {
    "app.py": """
    import boto3
    import broken
    def handler(event, context):
        boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
    """
}
SEND = "sqs.SendMessage(MessageBody=x, QueueUrl=https://q)"


def test_syntax_error(project) -> None:
    proj = project({**HANDLER, "broken.py": "def f(:\n    pass\n"})
    result = proj.analyze("app.handler")
    [finding] = result.findings
    assert finding.code == "LP201"
    assert finding.severity is Severity.ERROR
    assert finding.location.path.endswith("broken.py")
    assert finding.location.line == 1
    assert proj.calls("app.handler") == [SEND]


def test_python2_file_is_named_as_such(project) -> None:
    source = 'import boto3\n\ndef f():\n    print "hello"\n'
    result = project({**HANDLER, "broken.py": source}).analyze("app.handler")
    [finding] = result.findings
    assert (finding.code, finding.location.line) == ("LP201", 4)
    assert "Python 2" in finding.message


def test_not_utf8(project) -> None:
    proj = project({**HANDLER, "broken.py": b"# caf\xe9\nX = 1\n"})
    result = proj.analyze("app.handler")
    assert [f.code for f in result.findings] == ["LP202"]
    assert proj.calls("app.handler") == [SEND]


def test_declared_latin1_encoding_is_honoured(project) -> None:
    source = (
        b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport boto3\nboto3.client('s3').list_buckets()\n"
    )
    result = project({**HANDLER, "broken.py": source}).analyze("app.handler")
    assert result.findings == ()
    assert {c.operation for c in result.calls} == {"SendMessage", "ListBuckets"}


def test_huge_file(project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(program, "MAX_FILE_BYTES", 1000)
    proj = project({**HANDLER, "broken.py": "X = 1\n" * 400})
    result = proj.analyze("app.handler")
    assert [f.code for f in result.findings] == ["LP203"]
    assert proj.calls("app.handler") == [SEND]


def test_unparseable_file_without_handler_still_reported(project) -> None:
    proj = project({**HANDLER, "broken.py": "x = = 1\n", "other.py": "class C(:\n"})
    result = proj.analyze()
    assert sorted((Path(f.location.path).name, f.code) for f in result.findings) == [
        ("broken.py", "LP201"),
        ("other.py", "LP201"),
    ]
    assert proj.calls() == [SEND]


def test_client_of_unknown_origin(project) -> None:
    result = project(
        {
            "app.py": """
            def handler(event, context):
                client = event["client"]
                client.put_item(TableName="t", Item={})
                event.get("x")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    [finding] = result.findings
    assert (finding.code, finding.location.line) == ("LP211", 3)
    assert "put_item" in finding.message


def test_client_from_third_party_code_is_not_guessed(project) -> None:
    result = project(
        {
            "app.py": """
            import requests
            def handler(event, context):
                return requests.get("https://example.com").json()
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert result.findings == ()


def test_computed_getattr_on_client(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            def handler(event, context):
                method = getattr(s3, f"{event['verb']}_object")
                method(Bucket="b", Key="k")
                s3.put_object(Bucket="b", Key="k", Body=b"")
            """
        }
    ).analyze("app.handler")
    assert [c.operation for c in result.calls] == ["PutObject"]
    [finding] = result.findings
    assert (finding.code, finding.location.line) == ("LP212", 5)


def test_unknown_paginator_and_waiter_names(project) -> None:
    result = project(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")
            def handler(event, context):
                s3.get_paginator(event["op"]).paginate(Bucket="b")
                s3.get_waiter("object_gone").wait(Bucket="b", Key="k")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert sorted((f.code, f.location.line) for f in result.findings) == [
        ("LP212", 4),
        ("LP212", 5),
    ]


def test_handler_not_found_falls_back_to_every_function(project) -> None:
    proj = project(HANDLER)
    result = proj.analyze("app.main")
    assert [f.code for f in result.findings] == ["LP205"]
    assert proj.calls("app.main") == [SEND]
    assert [f.code for f in proj.analyze("nope.handler").findings] == ["LP205"]
    assert [f.code for f in proj.analyze("no_dot").findings] == ["LP205"]


def test_missing_path(tmp_path: Path) -> None:
    result = analyze([str(tmp_path / "missing")], "app.handler")
    assert [f.code for f in result.findings] == ["LP204", "LP205"]
    assert result.calls == ()


def test_single_file_code_root(project) -> None:
    proj = project(HANDLER)
    result = analyze([str(proj.root / "app.py")], "app.handler")
    assert [c.operation for c in result.calls] == ["SendMessage"]


def test_deep_nesting_does_not_crash(project) -> None:
    deep = "x = " + "(" * 400 + "1" + ")" * 400 + "\n"
    result = project({**HANDLER, "broken.py": deep}).analyze("app.handler")
    assert [c.operation for c in result.calls] == ["SendMessage"]
    assert all(f.code == "LP201" for f in result.findings)


def test_vendored_sdk_and_tests_are_not_the_functions_code(project) -> None:
    proj = project(
        {
            **HANDLER,
            "broken.py": "",
            "boto3/__init__.py": "def client(name):\n    return name\n",
            "requests-2.31.0.dist-info/top_level.txt": "requests\n",
            "requests/__init__.py": "import boto3\nboto3.client('s3').list_buckets()\n",
            "tests/test_app.py": "import boto3\nboto3.client('s3').delete_bucket(Bucket='b')\n",
        }
    )
    assert proj.calls() == [SEND]


def test_client_from_a_library_outside_the_roots_is_reported(project) -> None:
    result = project(
        {
            "app.py": """
            import json
            from company_aws import clients
            def handler(event, context):
                clients.get("dynamodb").put_item(TableName="t", Item={})
                json.JSONDecoder().raw_decode("{}")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    [finding] = result.findings
    assert (finding.code, finding.location.line) == ("LP211", 4)
    assert "company_aws.clients.get()" in finding.message


def test_very_deep_expressions_are_analysed(project) -> None:
    concatenation = " + ".join(['"a"'] * 3000)
    proj = project(
        {
            "app.py": f"""
import boto3
X = {concatenation}
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody=X[:1])
"""
        }
    )
    result = proj.analyze("app.handler")
    assert [c.operation for c in result.calls] == ["SendMessage"]
    assert result.findings == ()


def test_recursion_in_the_analysis_is_a_finding(project, monkeypatch: pytest.MonkeyPatch) -> None:
    from least_priv.analysis.interpreter import Interpreter

    real = Interpreter.call_root

    def overflowing(self, func):  # type: ignore[no-untyped-def]
        if func.qualname == "deep":
            raise RecursionError
        return real(self, func)

    monkeypatch.setattr(Interpreter, "call_root", overflowing)
    result = project(
        {
            "app.py": """
            import boto3
            def deep():
                boto3.client("s3").list_buckets()
            def other():
                boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x")
            """
        }
    ).analyze()
    # The entry point that overflowed is a finding; the other one is still analysed.
    assert [c.operation for c in result.calls] == ["SendMessage"]
    assert [(f.code, f.location.path.endswith("app.py")) for f in result.findings] == [
        ("LP215", True)
    ]

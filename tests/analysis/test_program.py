"""The per-module result: JSON round trip, positions, and plugging in a cache."""

from __future__ import annotations

from least_priv.analysis import ModuleIR, analyze
from least_priv.analysis.program import parse_file
from least_priv.analysis.sources import SourceFile

SOURCE = """import boto3

s3 = boto3.client("s3")


def handler(event, context):
    key = f"in/{event['id']}"
    s3.put_object(Bucket="b",
                  Key=key,
                  Body=b"")
    return s3.meta.region_name
"""


def test_module_result_round_trips_through_json(project) -> None:
    proj = project({"app.py": SOURCE})
    [module] = proj.analyze("app.handler").modules
    again = ModuleIR.from_json(module.to_json())
    assert again == module
    assert module.mentions_sdk and module.lines == 12


def test_failed_module_round_trips_with_its_finding(project) -> None:
    proj = project({"app.py": "def f(:\n"})
    module = parse_file(SourceFile("app", str(proj.root / "app.py"), False, 0))
    again = ModuleIR.from_json(module.to_json())
    assert again.findings == module.findings
    assert again.body == ()


def test_positions_point_at_the_call(project) -> None:
    result = project({"app.py": SOURCE}).analyze("app.handler")
    [call] = result.calls
    assert (call.location.line, call.location.column) == (8, 4)


def test_positions_after_multiline_strings_and_continuations(project) -> None:
    source = '''import boto3
DOC = """
line
line
"""
X = (1 +
     2) \\
    + 3
def handler(event, context):
    boto3.client("sqs").purge_queue(QueueUrl="https://q")  # line 10
'''
    [call] = project({"app.py": source}).analyze("app.handler").calls
    assert (call.location.line, call.location.column) == (10, 4)


def test_a_cache_can_supply_module_results(project) -> None:
    proj = project({"app.py": SOURCE})
    seen: list[str] = []

    def cached(source: SourceFile) -> ModuleIR:
        seen.append(source.module)
        return ModuleIR.from_json(parse_file(source).to_json())

    plain = proj.analyze("app.handler")
    via_cache = analyze([str(proj.root)], "app.handler", parser=cached)
    assert seen == ["app"]
    assert via_cache.calls == plain.calls


def test_syntax_newer_than_the_tools_python(project) -> None:
    # Lambda runs Python 3.12/3.13; libcst parses their syntax even where the tool's own
    # interpreter (3.11) could not: type aliases, PEP 695 generics, nested f-string quotes.
    source = """import boto3

type Name = str


def first[T](items: list[T]) -> T:
    return items[0]


s3 = boto3.client("s3")


def handler(event, context):
    match event:
        case {"op": "del"}:
            s3.delete_object(Bucket="b", Key=f"{event["key"]}")
    return first([s3.list_buckets()])
"""
    result = project({"app.py": source}).analyze("app.handler")
    assert result.findings == ()
    assert sorted(c.operation for c in result.calls) == ["DeleteObject", "ListBuckets"]

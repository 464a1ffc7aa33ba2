"""Bad input never crashes the analysis: mangled copies of real handlers still analyse."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from least_priv.analysis import analyze

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "analysis"
SOURCES = sorted(
    p.read_text(encoding="utf-8")
    for p in FIXTURES.rglob("*.py")
    if "legacy-mixed" not in p.parts  # that project holds deliberately broken files
)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """A real module with a slice cut out and some characters replaced."""
    source = draw(st.sampled_from(SOURCES))
    start = draw(st.integers(0, len(source)))
    end = draw(st.integers(start, min(len(source), start + 200)))
    text = source[:start] + source[end:]
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        text = (
            text[:at]
            + draw(st.sampled_from(["(", ")", ":", "\n", " ", '"', "[", "\\"]))
            + text[at + 1 :]
        )
    return text


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=mangled())
def test_mangled_sources_never_crash(tmp_path: Path, source: str) -> None:
    root = tmp_path / "code"
    root.mkdir(exist_ok=True)
    (root / "app.py").write_text(source, encoding="utf-8")
    result = analyze([str(root)], "app.handler")
    assert all(f.code.startswith("LP2") for f in result.findings)
    for call in result.calls:
        assert call.location.line > 0

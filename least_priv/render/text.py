"""A human summary of the generated policy, for a terminal."""

from __future__ import annotations

from collections import Counter

from least_priv.api import FunctionPolicy, GenerateResult
from least_priv.policy import size


def render_text(result: GenerateResult) -> str:
    """Per function: the statements as "actions on resources", sizes and finding counts.

    With ``--merge report``, each function's CloudTrail tables (Markdown) follow it.
    """
    blocks = [_function(p) for p in result.functions]
    if not blocks:
        return "no function to write a policy for\n"
    return "\n".join(blocks)


def _function(policy: FunctionPolicy) -> str:
    title = policy.name or "policy"
    statements = [st for doc in policy.documents for st in doc.statements]
    sizes = ", ".join(f"{size(d):,}" for d in policy.documents)
    lines = [
        f"{title}: {len(policy.permissions)} permissions in {len(statements)} statements "
        f"({len(policy.documents)} document{'s' if len(policy.documents) != 1 else ''}, "
        f"{sizes} characters)"
    ]
    sources = Counter(p.source for perm in policy.permissions for p in perm.provenance)
    if sources:
        lines.append("  from " + ", ".join(f"{k} {v}" for k, v in sorted(sources.items())))
    for st in statements:
        lines.append(f"  Allow {', '.join(st.actions)}")
        for resource in st.resources:
            lines.append(f"      on {resource}")
        for condition in st.conditions:
            lines.append(
                f"      if {condition.operator} {condition.key} {', '.join(condition.values)}"
            )
    if not statements:
        lines.append("  (no permission needed)")
    counts = Counter(str(f.severity) for f in policy.findings)
    if counts:
        summary = ", ".join(
            f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in sorted(counts.items())
        )
        lines.append(f"  findings: {summary} (details on stderr)")
    if policy.cloudtrail_report:
        # --merge report: the tables are the point of the run, so they join the summary.
        lines += ["", policy.cloudtrail_report.rstrip("\n")]
    return "\n".join(lines) + "\n"

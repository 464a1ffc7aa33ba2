"""The policy as IAM JSON: what ``aws iam create-policy --policy-document`` takes."""

from __future__ import annotations

import json

from least_priv.api import FunctionPolicy, GenerateResult


def render_json(result: GenerateResult) -> str:
    """One document; a list after ``--split``; an object keyed by function for a template.

    Keys keep IAM's conventional order (Version, Statement; Sid, Effect, Action, Resource,
    Condition) and everything else is sorted upstream, so the same input gives the same bytes.
    """
    payload: object
    if result.keyed:
        payload = {fp.name: _documents(fp) for fp in result.functions}
    elif result.functions:
        payload = _documents(result.functions[0])
    else:
        payload = {}
    return json.dumps(payload, indent=2) + "\n"


def _documents(policy: FunctionPolicy) -> object:
    docs = [d.to_json() for d in policy.documents]
    return docs[0] if len(docs) == 1 else docs

"""Static analysis of a Lambda function's Python code: the AWS calls it can make.

``analyze(paths, handler)`` reads the code with libcst (never running it) and returns
``AnalysisResult`` with the ``CallSite``s (service, operation, request parameters as
``Value``s, location) and ``Finding``s (LP2xx) for what could not be pinned down.
See docs/analysis.md.

The names are imported on first use: a run whose results all come from the cache
(``analysis.loading``) imports this package for its light modules and must not pay for
libcst and the interpreter it never runs (measured: ~90 ms of a ~0.3 s warm run).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from least_priv.analysis.analyzer import AnalysisResult, analyze, parse_handler
    from least_priv.analysis.program import ModuleIR

__all__ = ["AnalysisResult", "ModuleIR", "analyze", "parse_handler"]

_HOMES = {
    "AnalysisResult": "least_priv.analysis.analyzer",
    "analyze": "least_priv.analysis.analyzer",
    "parse_handler": "least_priv.analysis.analyzer",
    "ModuleIR": "least_priv.analysis.program",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'least_priv.analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)

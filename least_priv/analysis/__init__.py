"""Static analysis of a Lambda function's Python code: the AWS calls it can make.

``analyze(paths, handler)`` reads the code with libcst (never running it) and returns
``AnalysisResult`` with the ``CallSite``s (service, operation, request parameters as
``Value``s, location) and ``Finding``s (LP2xx) for what could not be pinned down.
See docs/analysis.md.
"""

from least_priv.analysis.analyzer import AnalysisResult, analyze, parse_handler
from least_priv.analysis.program import ModuleIR

__all__ = ["AnalysisResult", "ModuleIR", "analyze", "parse_handler"]

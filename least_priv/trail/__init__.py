"""CloudTrail: what a role really did, and its merge with what the code needs.

``observe(sources, role_arn=...)`` reads local files, ``s3://`` prefixes, LookupEvents or
Athena and returns an :class:`Observation` (observed permissions with count and first/last
seen, AccessDenied evidence kept apart, LP5xx findings). ``merge(code, observation, mode)``
combines it with the code's permissions (``union`` | ``intersect`` | ``report``).
Unusable options (a bad role ARN or window) raise :class:`TrailUsageError`; bad input never
raises. See docs/cloudtrail.md.
"""

from least_priv.trail.errors import TrailUsageError
from least_priv.trail.merge import MergeMode, MergeResult, Unobservable, merge
from least_priv.trail.observe import Observation, ObservationStats, observe

__all__ = [
    "MergeMode",
    "MergeResult",
    "Observation",
    "ObservationStats",
    "TrailUsageError",
    "Unobservable",
    "merge",
    "observe",
]

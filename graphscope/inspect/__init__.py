"""The inspector: listens to graphscope.hooks, records a Trace, runs the checks."""

from .checks import ALL_CHECKS, Check
from .compare import Comparison, compare_steps
from .findings import KINDS, SEVERITIES, Finding
from .inspector import Inspector
from .nanhunt import NanHunt, NonFiniteError, nan_hunt
from .stats import Stats, summarize
from .trace import LeafRecord, NodeRecord, StepRecord, Trace

__all__ = [
    "ALL_CHECKS",
    "Check",
    "Comparison",
    "Finding",
    "Inspector",
    "KINDS",
    "LeafRecord",
    "NanHunt",
    "NodeRecord",
    "NonFiniteError",
    "SEVERITIES",
    "Stats",
    "StepRecord",
    "Trace",
    "compare_steps",
    "nan_hunt",
    "summarize",
]

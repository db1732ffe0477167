"""Finding: one thing a check noticed, with the node and the user's line it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "nonfinite",
    "stale-cache",
    "frozen-gradient",
    "grad-accumulation",
    "shared-instance",
    "dead-activation",
    "trainable-target",
    "no-gradient",
)
SEVERITIES = ("error", "warning", "info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """0 for the most severe; unknown severities sort last."""
    return _RANK.get(severity, len(SEVERITIES))


@dataclass
class Finding:
    """`site` is `path:line` of the user's code; `count` and `last_step` grow when the
    same kind fires again at the same node."""

    kind: str
    severity: str
    step: int
    node: str
    message: str
    site: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    count: int = 1
    last_step: int | None = None

    def __post_init__(self) -> None:
        if self.last_step is None:
            self.last_step = self.step

    def at_least(self, severity: str) -> bool:
        return severity_rank(self.severity) <= severity_rank(severity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "severity": self.severity, "step": self.step, "node": self.node,
            "message": self.message, "site": self.site, "details": self.details,
            "count": self.count, "last_step": self.last_step,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        return cls(d["kind"], d["severity"], int(d["step"]), d["node"], d["message"], d.get("site", ""),
                   dict(d.get("details", {})), int(d.get("count", 1)), d.get("last_step"))

    def __str__(self) -> str:
        where = f" at {self.site}" if self.site else ""
        return f"[{self.severity}] {self.kind} {self.node} (step {self.step}){where}: {self.message}"

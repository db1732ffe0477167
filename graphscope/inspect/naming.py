"""Stable keys for the nodes of a step, so the same node can be matched across steps:
`fc1/matmul#0` (the first matmul run inside module fc1 this step), `fc1.weight`
(a parameter by its dotted module path), `x` (a named tensor), `input#0`, `const#0`."""

from __future__ import annotations


class Namer:
    """Hands out keys within one step; `reset()` at each step boundary."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}
        self._taken: set[str] = set()

    def reset(self) -> None:
        self._counts.clear()
        self._taken.clear()

    def node(self, module: str, op: str) -> str:
        n = self._counts.get((module, op), 0)
        self._counts[(module, op)] = n + 1
        key = f"{module}/{op}#{n}" if module else f"{op}#{n}"
        self._taken.add(key)
        return key

    def leaf(self, preferred: str | None, family: str) -> str:
        """`preferred` if free (else `preferred#1`, ...), or the next `family#k`."""
        if preferred:
            key, k = preferred, 0
            while key in self._taken:
                k += 1
                key = f"{preferred}#{k}"
        else:
            k = self._counts.get(("", family), 0)
            key = f"{family}#{k}"
            while key in self._taken:
                k += 1
                key = f"{family}#{k}"
            self._counts[("", family)] = k + 1
        self._taken.add(key)
        return key

"""Terminal dumps with rich: the op-by-op trace table, the findings panel, the graph as
a tree, and a progress display for long work.

Each report is a rich renderable: it yields what to draw from `__rich_console__` and
never prints, so the same object goes to a terminal, a file, a string (`to_text`) or a
test. Colour appears only on a terminal: rich writes plain text to pipes and files, and
`NO_COLOR` (https://no-color.org) turns colour off everywhere.

Like every renderer, this works from a Trace alone, live or loaded from a `.gstrace`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import math
import os
from collections import defaultdict
from typing import IO, Any, Iterable, Iterator

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..inspect.findings import KINDS, Finding, severity_rank
from ..inspect.trace import StepRecord, Trace

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
TRAINABLE_MARK = "<T>"
# Piped output has no terminal width to follow; a table this wide stays readable in a file.
PIPE_WIDTH = 120


def make_console(file: IO[str] | None = None, *, stderr: bool = False, width: int | None = None,
                 force_terminal: bool | None = None) -> Console:
    """A Console for graphscope's reports: styled on a terminal only (rich decides),
    plain text with no escape codes at all when NO_COLOR is set, and no guessing of
    highlights in our text."""
    plain = bool(os.environ.get("NO_COLOR"))
    console = Console(file=file, stderr=stderr, width=width, highlight=False, emoji=False,
                      force_terminal=force_terminal, no_color=plain or None,
                      **({"color_system": None} if plain else {}))
    if width is None and not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    return console


def to_text(renderable: Any, width: int = 100) -> str:
    """Plain text of a renderable at a fixed width (files, tests, `--json`-free logs)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue()


# -- small formatting helpers ------------------------------------------------------------
def short_site(site: str, brief: bool = False) -> str:
    """`path:line` relative to the current folder when the file lies under it; with
    `brief`, other files are shown by their name alone (for narrow table columns)."""
    if not site:
        return ""
    path, sep, line = site.rpartition(":")
    if not sep or not line.isdigit():
        return site
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return site
    if rel.startswith(".."):
        return f"{os.path.basename(path)}:{line}" if brief else site
    return f"{rel}:{line}"


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.4g}"


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape) if shape else "scalar"


def _select_steps(trace: Trace, step: int | str | Iterable[int] | None) -> list[StepRecord]:
    if step is None or step == "all":
        return list(trace.steps)
    if isinstance(step, int):
        return [trace.step(step)]
    return [trace.step(int(s)) for s in step]


def _kinds_by_node(trace: Trace, step: StepRecord) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = defaultdict(list)
    for f in trace.findings_at(step.index):
        if f.kind not in kinds[f.node]:
            kinds[f.node].append(f.kind)
    return kinds


# -- the op-by-op trace table --------------------------------------------------------------
class TraceTable:
    """Every op of the chosen steps in the order it ran: its key, the user's line, the
    output's shape, dtype and statistics, NaN/inf counts, and flags (findings at the node,
    a non-finite gradient, an op run outside the graph).

    step: an index (negative counts from the end), "all", or several indices.
    op: a glob matched against the op name and the node key (`exp`, `mat*`, `fc1/*`).
    """

    def __init__(self, trace: Trace, step: int | str | Iterable[int] | None = -1, op: str | None = None):
        self.trace = trace
        self.steps = _select_steps(trace, step)
        self.op = op

    def _matches(self, op: str, key: str) -> bool:
        return self.op is None or fnmatch.fnmatchcase(op, self.op) or fnmatch.fnmatchcase(key, self.op)

    def rows(self) -> Iterator[tuple[StepRecord, int, Any, list[str]]]:
        """(step, index, node record, flags) for every op shown."""
        for step in self.steps:
            kinds = _kinds_by_node(self.trace, step)
            for i, info in enumerate(step.structure.nodes):
                if not self._matches(info.op, info.key):
                    continue
                node = step.node(i)
                flags = list(kinds.get(info.key, ()))
                if node.grad is not None and not node.grad.finite:
                    flags.append("grad nan/inf")
                if not info.recorded:
                    flags.append("no graph")
                yield step, i, node, flags

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.steps:
            yield Text("The trace has no steps: nothing ran under the inspector.")
            return
        title = (f"step {self.steps[0].index}: {len(self.steps[0])} ops, {self.steps[0].status}"
                 if len(self.steps) == 1 else f"steps {self.steps[0].index}..{self.steps[-1].index}")
        if self.op:
            title += f", ops matching {self.op!r}"
        table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True,
                      header_style="bold", title_justify="left")
        for name, justify in (("step", "right"), ("#", "right"), ("op", "left"), ("key", "left"),
                              ("site", "left"), ("shape", "left"), ("dtype", "left"), ("min", "right"),
                              ("max", "right"), ("mean", "right"), ("nan", "right"), ("inf", "right"),
                              ("flags", "left")):
            table.add_column(name, justify=justify, overflow="fold")
        shown = 0
        for step, i, node, flags in self.rows():
            v = node.value
            nan, inf = (v.nan, v.inf) if v is not None else (0, 0)
            bad = bool(nan or inf)
            table.add_row(
                str(step.index), str(i), node.info.op, node.info.key, short_site(node.info.site, brief=True),
                _shape(node.info.shape), node.info.dtype,
                _num(v.min) if v else "", _num(v.max) if v else "", _num(v.mean) if v else "",
                Text(str(nan), style="bold red" if nan else ""), Text(str(inf), style="bold red" if inf else ""),
                Text(", ".join(flags), style="red" if flags else ""),
                style="red" if bad else None)
            shown += 1
        if shown == 0:
            yield Text(f"{title}: no op matches." if self.op else f"{title}: no ops.")
            return
        yield table


# -- the findings panel ------------------------------------------------------------------
def _steps_text(f: Finding) -> str:
    last = f.last_step if f.last_step is not None else f.step
    text = f"step {f.step}" if last == f.step else f"steps {f.step}..{last}"
    return text + (f", {f.count} times" if f.count > 1 else "")


class FindingsPanel:
    """The findings grouped by kind, the most severe group first; each finding with its
    node, steps, the user's line and the message."""

    def __init__(self, findings: Iterable[Finding], title: str | None = None):
        self.findings = list(findings)
        self.title = title

    def groups(self) -> list[tuple[str, list[Finding]]]:
        by_kind: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_kind[f.kind].append(f)
        order = {k: i for i, k in enumerate(KINDS)}
        for items in by_kind.values():
            items.sort(key=lambda f: (severity_rank(f.severity), f.step))
        return sorted(by_kind.items(),
                      key=lambda kv: (severity_rank(kv[1][0].severity), order.get(kv[0], len(order)), kv[0]))

    def summary(self) -> str:
        if not self.findings:
            return "no findings"
        counts: dict[str, int] = defaultdict(int)
        for f in self.findings:
            counts[f.severity] += 1
        parts = [f"{n} {s}{'s' if n > 1 else ''}" for s, n in
                 sorted(counts.items(), key=lambda kv: severity_rank(kv[0]))]
        return f"{len(self.findings)} finding{'s' if len(self.findings) > 1 else ''}: {', '.join(parts)}"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        heading = self.title or "Findings"
        if not self.findings:
            yield Text(f"{heading}: none.", style="green")
            return
        yield Text(f"{heading}: {self.summary()}", style="bold")
        for kind, items in self.groups():
            worst = items[0].severity
            body = []
            for f in items:
                line = Text()
                line.append(f"{f.severity:<9}", style=SEVERITY_STYLE.get(f.severity, ""))
                line.append(f.node, style="bold")
                line.append(f"  {_steps_text(f)}")
                if f.site:
                    line.append(f"  at {short_site(f.site)}")
                body.append(line)
                body.append(Text(f.message, style="default"))
            yield Panel(Group(*body), title=f"{kind} ({len(items)})", title_align="left",
                        border_style=SEVERITY_STYLE.get(worst, ""), box=box.ROUNDED, expand=True)


# -- the graph as a tree -----------------------------------------------------------------
class GraphTree:
    """A step's graph as a tree, from each root (the loss) down through the inputs.
    A node reached a second time is shown once and then referred to; very deep or very
    large graphs are cut, saying so (draw them with `graphscope render`)."""

    def __init__(self, trace: Trace, step: int = -1, max_nodes: int = 300, max_depth: int = 30):
        self.trace = trace
        self.record = trace.step(step)
        self.max_nodes = max_nodes
        self.max_depth = max_depth

    def _label(self, key: str, kinds: dict[str, list[str]]) -> Text:
        rec = self.record.get(key)
        text = Text()
        if rec is None:
            return Text(key, style="dim")
        info = rec.info
        text.append(key, style="bold" if hasattr(info, "op") else "")
        if hasattr(info, "op"):
            text.append(f"  {info.op}", style="blue")
        else:
            text.append(f"  ({info.kind})", style="dim")
        text.append(f"  {_shape(info.shape)} {info.dtype}")
        if getattr(info, "trainable", False):
            text.append(f" {TRAINABLE_MARK}", style="magenta")
        v = rec.value
        if v is not None and not v.finite:
            text.append(f"  nan {v.nan} inf {v.inf}", style="bold red")
        for kind in kinds.get(key, ()):
            text.append(f"  ! {kind}", style="red")
        return text

    def _roots(self) -> list[str]:
        step = self.record
        roots = [r for r in step.roots if step.get(r) is not None]
        if roots:
            return list(dict.fromkeys(roots))
        used = {k for n in step.structure.nodes for k in n.inputs}
        outputs = [n.key for n in step.structure.nodes if n.key not in used]
        return outputs or [n.key for n in step.structure.leaves]

    def tree(self) -> Tree:
        step = self.record
        kinds = _kinds_by_node(self.trace, step)
        top = Tree(Text(f"step {step.index} ({step.status}): {len(step.structure.nodes)} ops, "
                        f"{len(step.structure.leaves)} leaves", style="bold"))
        seen: set[str] = set()
        count = 0
        cut = 0
        # Depth-first with an explicit stack (no recursion: a 100,000-op chain must draw).
        stack: list[tuple[Tree, str, int]] = [(top, r, 1) for r in reversed(self._roots())]
        while stack:
            parent, key, depth = stack.pop()
            if count >= self.max_nodes:
                cut += 1
                continue
            count += 1
            if key in seen:
                parent.add(Text(f"{key} (shown above)", style="dim"))
                continue
            seen.add(key)
            branch = parent.add(self._label(key, kinds))
            rec = step.get(key)
            inputs = getattr(rec.info, "inputs", ()) if rec is not None else ()
            if inputs and depth >= self.max_depth:
                branch.add(Text(f"... {len(inputs)} input(s) deeper than {self.max_depth} levels not shown",
                                style="dim"))
                continue
            for k in reversed(inputs):
                stack.append((branch, k, depth + 1))
        if cut:
            top.add(Text(f"... {cut} more node(s) not shown (the tree stops at {self.max_nodes})", style="dim"))
        return top

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.tree()


# -- progress ------------------------------------------------------------------------------
def progress(console: Console | None = None) -> Progress:
    """A progress bar on stderr for work that takes a while (the demo, big renders);
    shown only on a terminal and cleared when done, so piped output stays clean."""
    console = console or make_console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


@contextlib.contextmanager
def busy(message: str, console: Console | None = None) -> Iterator[None]:
    """A spinner with a message while one long call runs (e.g. `dot` on a big graph)."""
    console = console or make_console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield

"""Drawing speed: `to_dot` of a 10,000-node graph against torchviz's `make_dot` on a
PyTorch graph of the same size, and `render` of a 10,000-op trace to SVG with default
collapsing against `dot` on the uncollapsed graph. Same run, same machine.

    python benchmarks/render.py [--quick] [--no-write]

Targets (issue 4): to_dot <= 0.5 s; render to SVG with collapsing <= 5 s end to end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

import graphscope as gs  # noqa: E402
from graphscope.render.dot import CollapsedWarning, to_dot  # noqa: E402
from results import machine, timed, write_section  # noqa: E402

OPS = 10_000
DOT_TIMEOUT = 120


def gs_trace(ops: int) -> gs.Trace:
    """A chain of `ops` unary ops (tanh and exp alternating with sigmoid), one leaf: ops+1 nodes."""
    x = gs.Parameter(np.full(8, 0.1, np.float32), name="x")
    unary = (gs.tanh, gs.sigmoid, gs.relu)
    with gs.Inspector(keep_values=0, checks=[]) as insp:
        y = x
        for i in range(ops):
            y = unary[i % 3](y)
        y.sum().backward()
    return insp.trace


def torchviz_times(ops: int, repeats: int) -> tuple[list[float] | None, str]:
    try:
        import torch
        from torchviz import make_dot
    except ImportError as exc:
        return None, f"not measured: {exc}"
    x = torch.full((8,), 0.1, requires_grad=True)
    y = x
    unary = (torch.tanh, torch.sigmoid, torch.relu)
    for i in range(ops):
        y = unary[i % 3](y)
    y = y.sum()
    # torchviz walks the graph recursively: a 10,000-op chain needs a deeper stack.
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10 * ops))
    try:
        return timed(lambda: make_dot(y).source, repeats), "recursion limit raised to walk the chain"
    except RecursionError:
        return None, "RecursionError"
    finally:
        sys.setrecursionlimit(old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7

    trace = gs_trace(OPS)
    nodes = len(trace.step(-1).nodes) + len(trace.step(-1).leaves)
    ours = timed(lambda: to_dot(trace, full=True), repeats)
    theirs, note = torchviz_times(OPS, repeats)

    with tempfile.TemporaryDirectory() as tmp:
        svg = Path(tmp) / "g.svg"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CollapsedWarning)
            collapsed = timed(lambda: gs.render(trace, svg), max(2, repeats // 2))
        full_dot = Path(tmp) / "full.dot"
        full_dot.write_text(to_dot(trace, full=True), encoding="utf-8")
        t0 = time.perf_counter()
        try:
            subprocess.run(["dot", "-Tsvg", str(full_dot), "-o", str(Path(tmp) / "full.svg")], check=True,
                           timeout=DOT_TIMEOUT, capture_output=True)
            full_time = f"{time.perf_counter() - t0:.1f} s"
        except subprocess.TimeoutExpired:
            full_time = f"> {DOT_TIMEOUT} s (stopped)"
        except (OSError, subprocess.CalledProcessError) as exc:
            full_time = f"not measured ({type(exc).__name__})"

    med = statistics.median
    ours_s, collapsed_s = med(ours), med(collapsed)
    torchviz_s = f"{med(theirs):.3f} s" if theirs else note
    ratio = f"{ours_s / med(theirs):.2f}x torchviz" if theirs else "-"
    rows = [
        f"| `to_dot` of a {nodes:,}-node graph (every node) | {ours_s:.3f} s | <= 0.5 s: "
        f"{'PASS' if ours_s <= 0.5 else 'MISS'} | {ratio} |",
        f"| torchviz `make_dot(...).source`, PyTorch graph of {OPS:,} ops | {torchviz_s} | peer | {note} |",
        f"| `gs.render` of the {OPS:,}-op trace to SVG, default collapsing, end to end | {collapsed_s:.3f} s | "
        f"<= 5 s: {'PASS' if collapsed_s <= 5 else 'MISS'} | collapsed automatically above 2,000 nodes |",
        f"| `dot -Tsvg` on the uncollapsed graph | {full_time} | peer | why collapsing is the default |",
    ]
    text = (f"`python benchmarks/render.py`; {machine()}; medians of {repeats} runs.\n\n"
            "| what | time | target | note |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    print(text)
    if not args.no_write:
        write_section("## Rendering (issue 4)", text)


if __name__ == "__main__":
    main()

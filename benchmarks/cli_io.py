"""Speed of the `graphscope` command's start and of trace files (issue 4).

    python benchmarks/cli_io.py           # full: more repeats
    python benchmarks/cli_io.py --quick   # a quick look

Measures, each in this one run:
  * `graphscope --help` wall time, in fresh subprocesses (the median of several), beside
    bare `python -c pass` for scale; the target is <= 0.3 s;
  * saving and loading a 1,000-step trace of a small MLP training loop (the median
    time of several saves and loads, and the file size).
Writes the figures to the section "## Trace files and CLI (issue 4)" of
benchmarks/RESULTS.md, replacing only that section.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

import graphscope as gs  # noqa: E402
from results import timed, write_section  # noqa: E402

HEADING = "## Trace files and CLI (issue 4)"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HELP_TARGET = 0.3


def wall(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def record_trace(steps: int) -> tuple[gs.Trace, float]:
    """A 1,000-step trace: an MLP [16, 64, 64, 1] on a batch of 32, SGD, MSE."""
    gs.seed(0)
    rng = np.random.default_rng(0)
    model = gs.nn.MLP([16, 64, 64, 1])
    opt = gs.optim.SGD(model.parameters(), lr=0.01)
    x = gs.tensor(rng.standard_normal((32, 16)).astype(np.float32))
    y = gs.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    start = time.perf_counter()
    with gs.Inspector() as insp:
        for _ in range(steps):
            opt.zero_grad()
            loss = gs.mse_loss(model(x), y)
            loss.backward()
            opt.step()
    return insp.trace, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    runs = 5 if args.quick else 11
    io_runs = 3 if args.quick else 7
    steps = 1000

    entry = shutil.which("graphscope")
    help_cmd = [entry, "--help"] if entry else [sys.executable, "-m", "graphscope", "--help"]
    help_how = "`graphscope --help`" if entry else "`python -m graphscope --help`"
    wall(help_cmd, 1)  # warm the file cache
    help_times = wall(help_cmd, runs)
    python_times = wall([sys.executable, "-c", "pass"], runs)
    import_times = wall([sys.executable, "-c", "import graphscope"], runs)

    trace, record_s = record_trace(steps)
    ops = sum(len(s) for s in trace.steps)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.gstrace"
        save_times = timed(lambda: gs.save(trace, path), io_runs)
        size = path.stat().st_size
        loaded = gs.load(path)
        load_times = timed(lambda: gs.load(path), io_runs)
        again = Path(folder) / "again.gstrace"
        gs.save(loaded, again)
        identical = again.read_bytes() == path.read_bytes()
        kept = sum(1 for s in loaded.steps if s.values is not None)

    med = statistics.median
    help_s = med(help_times)
    lines = [
        HEADING,
        "",
        f"`python benchmarks/cli_io.py{' --quick' if args.quick else ''}`; Python {platform.python_version()}, "
        f"numpy {np.__version__}, {platform.machine()}; medians of {runs} start-ups (fresh subprocesses) and "
        f"{io_runs} saves/loads.",
        "",
        "| what | time | note |",
        "|---|---|---|",
        f"| {help_how} | {help_s * 1000:.0f} ms | target <= {HELP_TARGET * 1000:.0f} ms: "
        f"{'met' if help_s <= HELP_TARGET else 'NOT met'} |",
        f"| `python -c \"import graphscope\"` | {med(import_times) * 1000:.0f} ms | the package import (numpy and "
        "the engine), which the command pays before parsing |",
        f"| `python -c pass` | {med(python_times) * 1000:.0f} ms | the interpreter alone, for scale |",
        f"| recording {steps} steps under the Inspector | {record_s:.2f} s | MLP [16, 64, 64, 1], batch 32: "
        f"{ops} ops, {len(trace.findings)} findings |",
        f"| `gs.save` of the {steps}-step trace | {med(save_times) * 1000:.0f} ms | file {size / 1024:.0f} KiB "
        f"({size / steps:.0f} bytes a step); {kept} steps keep full arrays |",
        f"| `gs.load` of it | {med(load_times) * 1000:.0f} ms | saved again: "
        f"{'byte-identical' if identical else 'DIFFERENT bytes'} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(HEADING, text)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

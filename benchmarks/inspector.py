"""Cost of watching (issue 3): the inspector and nan_hunt on the engine benchmark's MLP
step, beside PyTorch's anomaly mode on the same MLP, and the memory of a long run.

    python benchmarks/inspector.py           # full: more rounds, 10,000 steps for memory
    python benchmarks/inspector.py --quick   # a quick look (fewer rounds, 2,000 steps)

Measures, each in this one run:
  * speed: one training step of an MLP 784-256-256-10 (batch 128, float32, SGD,
    cross-entropy) uninspected, under `gs.Inspector(keep_values=0)` (all checks,
    statistics only; target <= 1.3x) and under `gs.nan_hunt()` (target <= 1.15x); the
    same MLP in PyTorch without and with `torch.autograd.detect_anomaly(check_nan=True)`.
    The variants run in interleaved blocks, in a new order every round; each block's
    figure is the median of its steps, and a ratio is taken within each round (so slow
    phases of this noisy machine hit both sides) and its median over the rounds reported;
  * memory: 10,000 steps of a 100-op graph (a residual tanh MLP with a scaling constant
    in each block, SGD every step) recorded with statistics only, in a fresh subprocess:
    its peak resident set (VmHWM) against 100 MB, beside the same process's resident set
    after importing numpy and graphscope and running one uninspected step.
Writes the figures to the section "## Inspector (issue 3)" of benchmarks/RESULTS.md,
replacing only that section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import warnings
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import graphscope as gs  # noqa: E402

HEADING = "## Inspector (issue 3)"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
INSPECTOR_TARGET = 1.3
NAN_HUNT_TARGET = 1.15
MEMORY_TARGET_MB = 100.0
SIZES = [784, 256, 256, 10]
BATCH = 128


# -- the MLP step, in graphscope and in PyTorch -----------------------------------------
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], BATCH)


def gs_step_fn():
    x_np, y_np = data()
    gs.seed(0)
    model = gs.nn.MLP(SIZES)
    opt = gs.optim.SGD(model.parameters(), lr=0.01)
    x, y = gs.tensor(x_np), gs.tensor(y_np)

    def step() -> None:
        opt.zero_grad()
        loss = gs.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def torch_step_fn():
    import torch

    x_np, y_np = data()
    torch.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)

    def step() -> None:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def torch_anomaly():
    import torch

    return torch.autograd.detect_anomaly(check_nan=True)


def block(step, context, warmup: int, steps: int) -> float:
    """The median time of one step, over `steps` steps run inside a fresh `context`."""
    times = []
    with context:
        for _ in range(warmup):
            step()
        for _ in range(steps):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_speed(rounds: int, warmup: int, steps: int) -> dict:
    gs_step, torch_step = gs_step_fn(), torch_step_fn()
    variants = {
        "gs": (gs_step, nullcontext),
        "gs+inspector": (gs_step, lambda: gs.Inspector(keep_values=0)),
        "gs+nan_hunt": (gs_step, gs.nan_hunt),
        "torch": (torch_step, nullcontext),
        "torch+anomaly": (torch_step, torch_anomaly),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants)
    shuffle = random.Random(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anomaly mode warns that it is slow at every enable
        for name in order:  # one unrecorded block each: caches, allocator, BLAS threads
            step, context = variants[name]
            block(step, context(), warmup, steps // 2)
        for _ in range(rounds):
            shuffle.shuffle(order)
            for name in order:
                step, context = variants[name]
                times[name].append(block(step, context(), warmup, steps))
    ratios = {
        "inspector": [a / b for a, b in zip(times["gs+inspector"], times["gs"])],
        "nan_hunt": [a / b for a, b in zip(times["gs+nan_hunt"], times["gs"])],
        "anomaly": [a / b for a, b in zip(times["torch+anomaly"], times["torch"])],
    }
    return {
        "times": {name: {"median": statistics.median(t), "min": min(t)} for name, t in times.items()},
        "ratios": {name: {"median": statistics.median(r), "min": min(r), "max": max(r)} for name, r in ratios.items()},
        "rounds": rounds, "steps": steps, "warmup": warmup,
    } | _of_mins(times)


def _of_mins(times: dict[str, list[float]]) -> dict:
    best = {name: min(t) for name, t in times.items()}
    return {"of_mins": {"inspector": best["gs+inspector"] / best["gs"], "nan_hunt": best["gs+nan_hunt"] / best["gs"],
                        "anomaly": best["torch+anomaly"] / best["torch"]}}


# -- memory, in a fresh subprocess ------------------------------------------------------
BLOCKS = 19  # 19 blocks of 5 ops, an input and a head Linear (2 each), the loss: 100 ops


class Block(gs.nn.Module):
    """h + tanh(h @ W + b) * 0.9: five ops, one of them reading a new scalar constant."""

    def __init__(self, width: int):
        super().__init__()
        self.fc = gs.nn.Linear(width, width)

    def forward(self, h):
        return h + gs.tanh(self.fc(h)) * 0.9


class Residual(gs.nn.Module):
    def __init__(self, n_in: int, width: int, blocks: int):
        super().__init__()
        self.inp = gs.nn.Linear(n_in, width)
        self.blocks = [Block(width) for _ in range(blocks)]
        self.head = gs.nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = b(h)
        return self.head(h)


def _rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, value, _unit = line.split()
                fields[name[:-1]] = int(value) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def memory_child(steps: int) -> None:
    """Run in a fresh interpreter: print the resident set before and after recording."""
    gs.seed(0)
    rng = np.random.default_rng(0)
    model = Residual(16, 32, BLOCKS)
    opt = gs.optim.SGD(model.parameters(), lr=1e-3)
    x = gs.tensor(rng.standard_normal((16, 16)).astype(np.float32))
    y = gs.tensor(rng.standard_normal((16, 1)).astype(np.float32))

    def step() -> None:
        opt.zero_grad()
        loss = gs.mse_loss(model(x), y)
        loss.backward()
        opt.step()

    step()
    baseline, _ = _rss_mb()
    start = time.perf_counter()
    with gs.Inspector(keep_values=0) as insp:
        for _ in range(steps):
            step()
    elapsed = time.perf_counter() - start
    rss, peak = _rss_mb()
    last = insp.trace.steps[-1]
    packed = sum(s.node_rows.nbytes + s.leaf_rows.nbytes for s in insp.trace.steps)
    print(json.dumps({
        "steps": len(insp.trace.steps), "ops": len(last), "leaves": len(last.structure.leaves),
        "structures": len({id(s.structure) for s in insp.trace.steps}),
        "baseline_mb": baseline, "rss_mb": rss, "peak_mb": peak, "packed_mb": packed / 2**20,
        "seconds": elapsed, "findings": [f"{f.severity} {f.kind} {f.node}" for f in insp.findings],
        "internal_errors": len(insp.internal_errors),
    }))


def measure_memory(steps: int) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--memory-child", str(steps)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- report -----------------------------------------------------------------------------
def machine() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {np.__version__}, "
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)")


def verdict(value: float, target: float, unit: str = "x") -> str:
    if value <= target:
        return f"PASS (target <= {target:g}{unit})"
    return f"MISS by {value - target:.2f}{unit} (target <= {target:g}{unit})"


def report(speed: dict, memory: dict, quick: bool) -> str:
    t, r, m = speed["times"], speed["ratios"], speed["of_mins"]
    ms = {name: v["median"] * 1e3 for name, v in t.items()}
    insp, hunt, anomaly = r["inspector"]["median"], r["nan_hunt"]["median"], r["anomaly"]["median"]
    lines = [
        HEADING,
        "",
        f"`python benchmarks/inspector.py{' --quick' if quick else ''}`; {machine()}.",
        f"Speed: {speed['rounds']} rounds; in each, every variant runs one block of {speed['warmup']} warm-up "
        f"and {speed['steps']} timed steps in a fresh context, in a new order every round. A block's figure is "
        f"its median step; a ratio is taken within each round and its median over the rounds is the verdict "
        f"(the ratio of the best blocks beside it).",
        "",
        "| step of MLP 784-256-256-10, batch 128, float32 | time (median block) | ratio (median of rounds) "
        "| ratio of best blocks | verdict |",
        "|---|---|---|---|---|",
        f"| graphscope, uninspected | {ms['gs']:.3f} ms | 1 | 1 | |",
        f"| graphscope, `gs.Inspector(keep_values=0)`: all checks, statistics only | {ms['gs+inspector']:.3f} ms "
        f"| {insp:.3f}x | {m['inspector']:.3f}x | {verdict(insp, INSPECTOR_TARGET)} |",
        f"| graphscope, `gs.nan_hunt()` | {ms['gs+nan_hunt']:.3f} ms | {hunt:.3f}x | {m['nan_hunt']:.3f}x "
        f"| {verdict(hunt, NAN_HUNT_TARGET)} |",
        f"| PyTorch, plain | {ms['torch']:.3f} ms | 1 | 1 | |",
        f"| PyTorch, `detect_anomaly(check_nan=True)` | {ms['torch+anomaly']:.3f} ms | {anomaly:.3f}x "
        f"| {m['anomaly']:.3f}x | ours cheaper: inspector {'yes' if insp < anomaly else 'NO'}, "
        f"nan_hunt {'yes' if hunt < anomaly else 'NO'} |",
        "",
        f"Spread of the per-round ratios: inspector {r['inspector']['min']:.3f}-{r['inspector']['max']:.3f}, "
        f"nan_hunt {r['nan_hunt']['min']:.3f}-{r['nan_hunt']['max']:.3f}, "
        f"anomaly {r['anomaly']['min']:.3f}-{r['anomaly']['max']:.3f}.",
        "",
        f"Memory: {memory['steps']:,} steps of a {memory['ops']}-op graph ({memory['leaves']} leaves a step: "
        f"42 parameters, the batch, the target and a scalar constant per block; {BLOCKS} residual tanh blocks, "
        f"batch 16, width 32, SGD every step) under `gs.Inspector(keep_values=0)`, in a fresh subprocess; "
        f"{memory['structures']} distinct step structure(s) stored; recording took {memory['seconds']:.1f} s; "
        f"{len(memory['findings'])} finding(s), {memory['internal_errors']} internal error(s).",
        "",
        "| resident memory | MB | verdict |",
        "|---|---|---|",
        f"| after importing numpy and graphscope and one uninspected step | {memory['baseline_mb']:.1f} | |",
        f"| peak (VmHWM) after {memory['steps']:,} recorded steps | {memory['peak_mb']:.1f} "
        f"| {verdict(memory['peak_mb'], MEMORY_TARGET_MB, ' MB')} |",
        f"| of which the packed per-step rows | {memory['packed_mb']:.1f} | |",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace the section under HEADING (up to the next '## ' heading), or append it."""
    old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == HEADING), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + text + ("\n" + tail if tail else "")
    RESULTS.write_text(new.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and memory steps")
    parser.add_argument("--memory-child", type=int, metavar="STEPS", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    rounds, steps, memory_steps = (5, 20, 2_000) if args.quick else (15, 40, 10_000)
    speed = measure_speed(rounds, warmup=5, steps=steps)
    memory = measure_memory(memory_steps)
    text = report(speed, memory, args.quick)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

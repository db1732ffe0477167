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
  * memory: 10,000 steps of a 100-op graph recorded with statistics only, in a fresh
    subprocess: its peak resident set (VmHWM) against 100 MB, beside the same process's
    resident set after importing numpy and graphscope and running one uninspected step.
    The target graph is a chain of 100 mixed ops (three Linear layers, 9 leaves a step);
    beside it a heavier one of the same op count, a residual MLP with 63 leaves a step;
  * the time of the statistics alone: every array of one MLP step summarized and
    fingerprinted apart from the step, to show what part of the inspector's cost that is.
Writes the figures to the section "## Inspector (issue 3)" of benchmarks/RESULTS.md,
replacing only that section.
"""

from __future__ import annotations

import argparse
import json
import math
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
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

import graphscope as gs  # noqa: E402
from results import write_section  # noqa: E402

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
        "stats_floor": stats_floor(gs_step),
        "times": {name: {"median": statistics.median(t), "min": min(t)} for name, t in times.items()},
        "ratios": {name: {"median": statistics.median(r), "min": min(r), "max": max(r)} for name, r in ratios.items()},
        "rounds": rounds, "steps": steps, "warmup": warmup,
    } | _of_mins(times)


def stats_floor(step) -> dict:
    """The time of summarize + fingerprint over the arrays the inspector summarizes in one
    step of `step`, apart from the step (best of several rounds). Like the recorder, it
    leaves out a gradient handed on unchanged (the same array as the node before) and the
    leaves read unchanged from the step before (the batch and the labels: compared with a
    copy there)."""
    from graphscope import hooks
    from graphscope.inspect.stats import summarize, summarize_fp

    arrays: list[tuple[np.ndarray, bool]] = []  # (array, fingerprinted too)
    seen: set[int] = set()

    class Collect(hooks.Listener):
        last = [None]

        def on_forward(self, ev):
            for ref in ev.inputs:
                if ref.id not in seen:
                    seen.add(ref.id)
                    if ref.trainable:
                        arrays.append((ref.data.copy(), True))
            seen.add(ev.output.id)
            arrays.append((ev.output.data.copy(), True))

        def on_backward(self, ev):
            if ev.grad_output is not self.last[0]:
                arrays.append((ev.grad_output.copy(), False))
            self.last[0] = ev.grad_output

        def on_leaf_grad(self, ev):
            arrays.append((ev.grad.copy(), True))

    with hooks.listen(Collect()):
        step()
    best = math.inf
    for _ in range(20):
        start = time.perf_counter()
        for a, fp in arrays:
            summarize_fp(a) if fp else summarize(a)
        best = min(best, time.perf_counter() - start)
    return {"arrays": len(arrays), "elements": sum(a.size for a, _ in arrays), "us": best * 1e6}


def _of_mins(times: dict[str, list[float]]) -> dict:
    best = {name: min(t) for name, t in times.items()}
    return {"of_mins": {"inspector": best["gs+inspector"] / best["gs"], "nan_hunt": best["gs+nan_hunt"] / best["gs"],
                        "anomaly": best["torch+anomaly"] / best["torch"]}}


# -- memory, in a fresh subprocess ------------------------------------------------------
class Chain(gs.nn.Module):
    """A chain of 100 mixed ops on a batch of 16: three Linear layers (two ops each), two
    ReLUs, 15 blocks of six elementwise and reduction ops, a scaling constant, the loss."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = gs.nn.Linear(16, 32), gs.nn.Linear(32, 32), gs.nn.Linear(32, 1)

    @staticmethod
    def block(h):
        h = gs.tanh(h) * gs.sigmoid(h) + h
        return h - gs.mean(h, axis=1, keepdims=True)

    def forward(self, x):
        h = gs.relu(self.fc1(x))
        for _ in range(8):
            h = self.block(h)
        h = gs.relu(self.fc2(h))
        for _ in range(7):
            h = self.block(h)
        return self.fc3(h) * 0.5


class Block(gs.nn.Module):
    """h + tanh(h @ W + b) * 0.9: five ops, one of them reading a new scalar constant."""

    def __init__(self, width: int):
        super().__init__()
        self.fc = gs.nn.Linear(width, width)

    def forward(self, h):
        return h + gs.tanh(self.fc(h)) * 0.9


class Residual(gs.nn.Module):
    """19 residual tanh blocks between an input and a head Linear: with the loss, 100 ops,
    and 63 leaves a step (42 parameters, the batch, the target, 19 scalar constants)."""

    def __init__(self, n_in: int = 16, width: int = 32, blocks: int = 19):
        super().__init__()
        self.inp = gs.nn.Linear(n_in, width)
        self.blocks = [Block(width) for _ in range(blocks)]
        self.head = gs.nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = b(h)
        return self.head(h)


GRAPHS = {"chain": Chain, "residual": Residual}


def _rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, value, _unit = line.split()
                fields[name[:-1]] = int(value) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def memory_child(graph: str, steps: int) -> None:
    """Run in a fresh interpreter: print the resident set before and after recording."""
    gs.seed(0)
    rng = np.random.default_rng(0)
    model = GRAPHS[graph]()
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
    arrays = {}  # each step's packed arrays, those shared between steps once
    for s in insp.trace.steps:
        for name in ("_nrows", "_nids", "_lrows"):
            a = getattr(s, name, None)
            if a is not None:
                arrays[id(a)] = a.nbytes
    packed = sum(arrays.values())
    print(json.dumps({
        "graph": graph, "steps": len(insp.trace.steps), "ops": len(last), "leaves": len(last.structure.leaves),
        "structures": len({id(s.structure) for s in insp.trace.steps}),
        "baseline_mb": baseline, "rss_mb": rss, "peak_mb": peak, "packed_mb": packed / 2**20,
        "seconds": elapsed, "findings": [f"{f.severity} {f.kind} {f.node}" for f in insp.findings],
        "internal_errors": len(insp.internal_errors),
    }))


def measure_memory(graph: str, steps: int) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--memory-child", graph, str(steps)],
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
    chain, residual = memory["chain"], memory["residual"]
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
        f"Memory: each graph runs {chain['steps']:,} steps under `gs.Inspector(keep_values=0)` (all checks, "
        f"statistics only) in a fresh subprocess, batch 16, SGD every step; the baseline is the same process after "
        f"importing numpy and graphscope, building the model and one uninspected step. The target graph is the "
        f"chain: {chain['ops']} ops, {chain['leaves']} leaves a step (three Linear layers, two ReLUs, 15 blocks of "
        f"tanh, sigmoid, mul, add, mean, sub, a scaling constant, the MSE loss). Beside it, a heavier case of the "
        f"same op count: {residual['ops']} ops with {residual['leaves']} leaves a step (19 residual blocks "
        f"`h + tanh(fc(h)) * 0.9`: 42 parameters, a new scalar constant per block, the batch, the target).",
        "",
        "| graph | steps | baseline MB | peak RSS (VmHWM) MB | packed step rows MB | recording | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, mem in (("chain (100 ops, 9 leaves)", chain), ("residual MLP (100 ops, 63 leaves)", residual)):
        lines.append(f"| {name} | {mem['steps']:,} | {mem['baseline_mb']:.1f} | {mem['peak_mb']:.1f} "
                     f"| {mem['packed_mb']:.1f} | {mem['seconds']:.1f} s, {len(mem['findings'])} findings, "
                     f"{mem['internal_errors']} internal errors | {verdict(mem['peak_mb'], MEMORY_TARGET_MB, ' MB')} |")
    floor = speed["stats_floor"]
    lines += [
        "",
        f"Where the inspector's time goes: summarizing and fingerprinting the {floor['arrays']} arrays the recorder "
        f"reads in one step (every op's output and gradient, the parameters' values and gradients; "
        f"{floor['elements'] / 1e6:.2f} M elements) takes {floor['us']:.0f} us on its own, timed apart from the "
        f"step with warm caches: "
        f"{floor['us'] / (ms['gs'] * 1e3):.2f}x the uninspected step. Six reads of each array (min, max, a sum, "
        f"a sum of squares, the zero count, the fingerprint) are the least numpy can do for those figures.",
        "",
        "Why the misses (where a target is missed):",
        f"- inspector{'' if insp > INSPECTOR_TARGET else ' (met)'}: the statistics above alone exceed the 0.3x the target allows; on top of them come the "
        f"engine's events with module calls (about 0.1x), the recorder's bookkeeping and the eight checks "
        f"(stale-cache's probe of every parameter at each read and backward is the dearest, then dead-activation "
        f"and frozen-gradient). Meeting 1.3x would need fewer figures per array or a compiled one-pass kernel.",
        f"- nan_hunt{'' if hunt > NAN_HUNT_TARGET else ' (met)'}: {(hunt - 1) * ms['gs'] * 1e3:.0f} us a step: the engine building and handing over its events "
        f"(a tensor reference per input, the user's line per op) and one finiteness test (a self-dot) of every op "
        f"output and gradient that can overflow, about 0.5 M elements a step. The ratio moves with the base step, "
        f"which on this machine sits at about 0.88 ms or, in slow phases, 1.2 ms (where the same overhead is 1.12x).",
        f"- memory, residual MLP{'' if residual['peak_mb'] > MEMORY_TARGET_MB else ' (met)'}: 100 nodes x 44 bytes and 63 leaves x 64 bytes of float32 statistics, ids and "
        f"fingerprints a step ({residual['packed_mb'] * 2**20 / residual['steps'] / 1024:.1f} KiB) do not compress "
        f"without loss; 10,000 steps of them on top of a {residual['baseline_mb']:.0f} MB baseline pass 100 MB. "
        f"The chain, with the same op count and 9 leaves, fits.",
        "",
        "Before the speed and memory work (commit e66d33c, same benchmark): inspector 2.64x, nan_hunt 1.24x, "
        "torch anomaly 2.10x; residual MLP 139.2 MB peak (94.3 MB of rows: 56 bytes a node, 68 a leaf).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and memory steps")
    parser.add_argument("--memory-child", nargs=2, metavar=("GRAPH", "STEPS"), help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child[0], int(args.memory_child[1]))
        return
    rounds, steps, memory_steps = (5, 20, 2_000) if args.quick else (15, 40, 10_000)
    speed = measure_speed(rounds, warmup=5, steps=steps)
    memory = {graph: measure_memory(graph, memory_steps) for graph in GRAPHS}
    text = report(speed, memory, args.quick)
    print(text)
    if not args.no_write:
        write_section(HEADING, text)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

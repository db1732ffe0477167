"""Engine speed, side by side in one run: graphscope, PyTorch (CPU) and DeZero.

    python benchmarks/engine.py [--quick] [--no-write]

1. an MLP training step, 784-256-256-10, batch 128, float32, SGD, cross-entropy
   (targets: <= 1.3x PyTorch's time, >= 1.5x faster than DeZero);
2. per-op overhead: a chain of 1,000 elementwise ops on 8-element arrays, forward and
   backward (targets: <= 2x PyTorch, >= 1.5x faster than DeZero);
3. the hooks' cost with nobody listening, against the same engine with the hook checks
   removed from its source (target: <= 3%).

Variants run interleaved (A B C A B C ...) and each figure is the median over rounds of
the best of a few repeats, which keeps this noisy 2-core machine's drift out of ratios.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import statistics
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

import graphscope as gs  # noqa: E402
from results import machine, write_section  # noqa: E402

BATCH, SIZES, CHAIN = 128, [784, 256, 256, 10], 1000


# -- the three engines -------------------------------------------------------------------------
def gs_mlp_step(rng: np.random.Generator) -> Callable[[], None]:
    gs.seed(0)
    model = gs.nn.MLP(SIZES)
    opt = gs.optim.SGD(model.parameters(), lr=0.01)
    x = gs.tensor(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    t = gs.tensor(rng.integers(0, SIZES[-1], BATCH))

    def step() -> None:
        opt.zero_grad()
        gs.cross_entropy(model(x), t).backward()
        opt.step()

    return step


def gs_chain() -> Callable[[], None]:
    x0 = np.full(8, 0.5, np.float32)

    def run() -> None:
        x = gs.Parameter(x0)
        y = x
        for i in range(CHAIN):
            k = i % 3
            y = y * 0.999 if k == 0 else (y + 0.001 if k == 1 else gs.tanh(y))
        y.sum().backward()

    return run


def torch_mlp_step(rng: np.random.Generator):
    import torch

    torch.manual_seed(0)
    layers = []
    for a, b in zip(SIZES, SIZES[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.from_numpy(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    t = torch.from_numpy(rng.integers(0, SIZES[-1], BATCH))

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), t).backward()
        opt.step()

    return step


def torch_chain():
    import torch

    def run() -> None:
        x = torch.full((8,), 0.5, requires_grad=True)
        y = x
        for i in range(CHAIN):
            k = i % 3
            y = y * 0.999 if k == 0 else (y + 0.001 if k == 1 else torch.tanh(y))
        y.sum().backward()

    return run


def import_dezero():
    # DeZero 0.0.13 still uses np.int, removed from numpy in 1.24; it also imports
    # matplotlib without declaring it (pyproject's bench extra installs it).
    if not hasattr(np, "int"):
        np.int = int  # type: ignore[attr-defined]
    import dezero

    return dezero


def dezero_mlp_step(rng: np.random.Generator):
    dezero = import_dezero()
    import dezero.functions as F
    from dezero.models import MLP
    from dezero.optimizers import SGD

    np.random.seed(0)
    model = MLP(SIZES[1:], activation=F.relu)
    opt = SGD(lr=0.01).setup(model)
    x = dezero.Variable(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    t = rng.integers(0, SIZES[-1], BATCH)

    def step() -> None:
        model.cleargrads()
        F.softmax_cross_entropy(model(x), t).backward()
        opt.update()

    step()  # DeZero creates its weights at the first call...
    for p in model.params():  # ...in float64 under numpy 2 (float32 * np.sqrt(...) upcasts): cast back
        p.data = p.data.astype(np.float32)
    step()
    dtype = model.l0.W.data.dtype
    return step, str(dtype)


def dezero_chain():
    dezero = import_dezero()
    import dezero.functions as F

    x0 = np.full(8, 0.5, np.float32)

    def run() -> None:
        x = dezero.Variable(x0.copy())
        y = x
        for i in range(CHAIN):
            k = i % 3
            y = y * 0.999 if k == 0 else (y + 0.001 if k == 1 else F.tanh(y))
        F.sum(y).backward()

    return run


# -- the engine with its hook checks removed -------------------------------------------------
class _DropHookChecks(ast.NodeTransformer):
    """`if _hooks.active ...: A else: B` becomes `B`: the engine as if hooks did not exist."""

    def visit_If(self, node: ast.If):
        self.generic_visit(node)
        if "_hooks" in ast.unparse(node.test):
            return node.orelse or None
        return node


def _stripped(func, module) -> Callable:
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    tree = ast.fix_missing_locations(_DropHookChecks().visit(tree))
    namespace: dict = {}
    exec(compile(tree, f"<{func.__qualname__} without hooks>", "exec"), vars(module), namespace)
    return namespace[func.__name__]


class HooksRemoved:
    """Swap in hook-free copies of Function.__call__, autograd.backward, Module.__call__
    and Optimizer.step/zero_grad; restore them on exit."""

    def __init__(self):
        from graphscope.engine import autograd, function, nn, optim, tensor

        self.patches = [
            (function.Function, "__call__", _stripped(function.Function.__call__, function)),
            (autograd, "backward", _stripped(autograd.backward, autograd)),
            (nn.Module, "__call__", _stripped(nn.Module.__call__, nn)),
            (optim.Optimizer, "step", _stripped(optim.Optimizer.step, optim)),
            (optim.Optimizer, "zero_grad", _stripped(optim.Optimizer.zero_grad, optim)),
        ]
        self.tensor_module = tensor

    def __enter__(self):
        self.saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in self.patches]
        for owner, name, new in self.patches:
            setattr(owner, name, new)
        return self

    def __exit__(self, *exc):
        for owner, name, old in self.saved:
            setattr(owner, name, old)
        return False


def _hooks_removed_callable(make: Callable[[], Callable[[], None]]) -> Callable[[], None]:
    removed = HooksRemoved()

    def run() -> None:
        with removed:
            inner()

    with removed:
        inner = make()
    return run


# -- timing ------------------------------------------------------------------------------------
def best_of(fn: Callable[[], None], calls: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def interleaved(variants: dict[str, Callable[[], None]], rounds: int, calls: int, repeats: int) -> dict[str, list[float]]:
    for fn in variants.values():
        for _ in range(3):
            fn()
    times: dict[str, list[float]] = {k: [] for k in variants}
    for r in range(rounds):
        order = list(variants.items())
        if r % 2:
            order.reverse()
        for name, fn in order:
            times[name].append(best_of(fn, calls, repeats))
    return times


def ratio_rows(times: dict[str, list[float]], base: str) -> dict[str, float]:
    """Median over rounds of each variant's time divided by `base`'s in the same round."""
    return {k: statistics.median(a / b for a, b in zip(v, times[base])) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rounds, repeats = (3, 3) if args.quick else (9, 5)

    import torch

    threads = 1
    try:
        from threadpoolctl import threadpool_info

        threads = max((i.get("num_threads", 1) for i in threadpool_info() if i.get("user_api") == "blas"), default=1)
    except ImportError:
        import os

        threads = int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)

    rng = np.random.default_rng(0)
    dz_step, dz_dtype = dezero_mlp_step(rng)
    mlp = interleaved({"graphscope": gs_mlp_step(rng), "pytorch": torch_mlp_step(rng), "dezero": dz_step},
                      rounds, calls=20, repeats=repeats)
    chain = interleaved({"graphscope": gs_chain(), "pytorch": torch_chain(), "dezero": dezero_chain()},
                        rounds, calls=3, repeats=repeats)
    hook_mlp = interleaved({"hooks": gs_mlp_step(np.random.default_rng(1)),
                            "removed": _hooks_removed_callable(lambda: gs_mlp_step(np.random.default_rng(1)))},
                           rounds * 2, calls=20, repeats=repeats)
    hook_chain = interleaved({"hooks": gs_chain(), "removed": _hooks_removed_callable(gs_chain)},
                             rounds * 2, calls=3, repeats=repeats)

    med = {name: {k: statistics.median(v) for k, v in t.items()} for name, t in
           (("mlp", mlp), ("chain", chain), ("hook_mlp", hook_mlp), ("hook_chain", hook_chain))}
    r_mlp, r_chain = ratio_rows(mlp, "graphscope"), ratio_rows(chain, "graphscope")
    h_mlp, h_chain = ratio_rows(hook_mlp, "removed"), ratio_rows(hook_chain, "removed")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    vs_torch_mlp, vs_dz_mlp = 1 / r_mlp["pytorch"], r_mlp["dezero"]
    vs_torch_chain, vs_dz_chain = 1 / r_chain["pytorch"], r_chain["dezero"]
    rows = [
        "| work | graphscope | PyTorch | DeZero | graphscope / PyTorch | DeZero / graphscope |",
        "|---|---|---|---|---|---|",
        f"| MLP step 784-256-256-10, batch {BATCH}, float32, SGD | {med['mlp']['graphscope'] * 1e3:.3f} ms | "
        f"{med['mlp']['pytorch'] * 1e3:.3f} ms | {med['mlp']['dezero'] * 1e3:.3f} ms | "
        f"{vs_torch_mlp:.2f}x (<= 1.3x: {verdict(vs_torch_mlp <= 1.3)}) | "
        f"{vs_dz_mlp:.2f}x faster (>= 1.5x: {verdict(vs_dz_mlp >= 1.5)}) |",
        f"| chain of {CHAIN} elementwise ops on 8 elements, forward + backward | "
        f"{med['chain']['graphscope'] * 1e3:.2f} ms | {med['chain']['pytorch'] * 1e3:.2f} ms | "
        f"{med['chain']['dezero'] * 1e3:.2f} ms | {vs_torch_chain:.2f}x (<= 2x: {verdict(vs_torch_chain <= 2)}) | "
        f"{vs_dz_chain:.2f}x faster (>= 1.5x: {verdict(vs_dz_chain >= 1.5)}) |",
    ]
    hook_rows = [
        "| work | hooks, nobody listening | hook checks removed | cost |",
        "|---|---|---|---|",
        f"| MLP step | {med['hook_mlp']['hooks'] * 1e3:.3f} ms | {med['hook_mlp']['removed'] * 1e3:.3f} ms | "
        f"{(h_mlp['hooks'] - 1) * 100:+.1f}% (<= 3%: {verdict(h_mlp['hooks'] <= 1.03)}) |",
        f"| {CHAIN}-op chain | {med['hook_chain']['hooks'] * 1e3:.2f} ms | {med['hook_chain']['removed'] * 1e3:.2f} ms | "
        f"{(h_chain['hooks'] - 1) * 100:+.1f}% (<= 3%: {verdict(h_chain['hooks'] <= 1.03)}) |",
    ]
    text = (
        f"`python benchmarks/engine.py`; {machine()}; torch {torch.__version__} with {threads} thread(s), "
        f"the BLAS thread count numpy uses; DeZero 0.0.13 (computing in {dz_dtype}). Each figure: the median over "
        f"{rounds} interleaved rounds of the best of {repeats} repeats; ratios are medians of per-round ratios.\n\n"
        + "\n".join(rows) + "\n\nThe hooks' cost with no listener, against the same engine with every "
        "`if _hooks...` branch removed from its source (an AST transform in the benchmark):\n\n"
        + "\n".join(hook_rows) + "\n"
    )
    print(text)
    if not args.no_write:
        write_section("## Engine (issue 2)", text)


if __name__ == "__main__":
    main()

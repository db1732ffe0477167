"""The bug gallery: every example, run as written and with --fixed under the inspector.

As written, the expected finding fires, at the expected node, and its site is the line
of the example marked `# BUG`. With --fixed, no warning and no error, and no op runs on
the marked line. Each script runs in-process, as `graphscope run` would run it.
"""

from __future__ import annotations

import functools
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import graphscope as gs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# example -> (kind, node) of the finding that must point at its # BUG line
EXPECTED = {
    "nan_exp_overflow": ("nonfinite", "exp#0"),
    "stale_cache": ("stale-cache", "embed/matmul#0"),
    "frozen_gradient": ("frozen-gradient", "fc2.weight"),
    "shared_instance": ("shared-instance", "act.sigmoid"),
    "trainable_target": ("trainable-target", "y"),
    "grad_accumulation": ("grad-accumulation", "w"),
    "dead_activation": ("dead-activation", "act1/relu#0"),
    "leaky_relu_nan": ("nonfinite", "log#0"),
    "no_gradient": ("no-gradient", "fc1.weight"),
}
# found by other means, by design: gs.gradcheck, and a diff of two graphs
OTHERS = ("sum_vs_overwrite", "eval_missing_sigmoid")


def bug_site(name: str) -> str:
    path = EXAMPLES / f"{name}.py"
    lines = [i for i, text in enumerate(path.read_text().splitlines(), 1) if "# BUG" in text]
    assert len(lines) == 1, f"{path} must mark exactly one line with # BUG, found {lines}"
    return f"{path}:{lines[0]}"


@functools.lru_cache(maxsize=None)
def run(name: str, fixed: bool) -> tuple[gs.Inspector, dict]:
    """Run the example under a fresh Inspector (once per session): (inspector, its globals)."""
    path = str(EXAMPLES / f"{name}.py")
    saved = sys.argv
    sys.argv = [path] + (["--fixed"] if fixed else [])
    try:
        with np.errstate(all="ignore"), gs.Inspector() as insp:
            namespace = runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = saved
    return insp, namespace


def test_the_gallery_has_one_script_per_bug_and_every_one_is_tested():
    scripts = {p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(EXPECTED) | set(OTHERS)
    assert len(scripts) >= 8


@pytest.mark.parametrize("name", sorted(EXPECTED) + list(OTHERS))
def test_each_script_is_user_code_with_a_fixed_switch(name):
    source = (EXAMPLES / f"{name}.py").read_text()
    assert "import graphscope as gs" in source and "graphscope.inspect" not in source  # applied from outside
    assert 'add_argument("--fixed", action="store_true"' in source and source.startswith('"""')
    bug_site(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_buggy_run_points_at_the_bug_line(name):
    kind, node = EXPECTED[name]
    insp, _ = run(name, False)
    assert insp.internal_errors == []
    hits = [f for f in insp.findings if f.kind == kind and f.node == node]
    assert hits, f"no {kind} at {node}; found: " + "; ".join(f"{f.kind} {f.node} {f.site}" for f in insp.findings)
    assert [f.site for f in hits] == [bug_site(name)]
    assert hits[0].at_least("warning")


@pytest.mark.parametrize("name", sorted(EXPECTED) + list(OTHERS))
def test_fixed_run_is_clean(name):
    insp, _ = run(name, True)
    assert insp.internal_errors == []
    assert [str(f) for f in insp.findings if f.at_least("warning")] == []
    site = bug_site(name)
    assert all(n.info.site != site for step in insp.steps for n in step.nodes)  # the bug line never ran


def test_gradcheck_finds_the_custom_op_that_drops_a_use():
    buggy = run("sum_vs_overwrite", False)[1]["result"]
    fixed = run("sum_vs_overwrite", True)[1]["result"]
    assert not buggy.ok and fixed.ok
    check = buggy.inputs[0]
    assert check.max_rel_error == pytest.approx(0.5, abs=1e-3)  # half the gradient: one use of x of two
    np.testing.assert_allclose(check.analytic * 2, check.numeric, rtol=1e-5)


def test_the_evaluation_graph_lacks_the_sigmoid_training_had():
    site = bug_site("eval_missing_sigmoid")
    buggy = run("eval_missing_sigmoid", False)[0].steps
    train_ops = [n.info.op for n in buggy[-2].nodes]
    eval_ops = [n.info.op for n in buggy[-1].nodes]
    assert "sigmoid" in train_ops and "sigmoid" not in eval_ops
    assert eval_ops == train_ops[:len(eval_ops)]  # the same network, minus what follows it
    assert {n.info.site for n in buggy[-1].nodes} == {site}
    fixed = run("eval_missing_sigmoid", True)[0].steps
    assert [n.info.op for n in fixed[-1].nodes][-1] == "sigmoid"

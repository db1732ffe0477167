"""nan_hunt: raise at the origin of a NaN/inf, forward or backward, or record every origin."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import graphscope as gs
from graphscope import hooks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_forward_origin(here):
    x = gs.tensor(np.array([1.0, 50.0, 100.0], dtype=np.float32), name="logits")
    with pytest.raises(gs.NonFiniteError) as caught, np.errstate(all="ignore"):
        with gs.nan_hunt():
            y = gs.tanh(x)
            site = here(); gs.exp(x * 1.0)  # noqa: E702 - the site is this line
            gs.sum(y)
    err = caught.value
    assert (err.op, err.node, err.phase, err.site) == ("exp", "exp#0", "forward", site)
    assert "mul#0" in str(err) and "max 100" in str(err)  # the input, by name, with its statistics
    assert isinstance(err, FloatingPointError) and isinstance(err, gs.GraphscopeError)
    assert hooks.listeners() == ()


def test_backward_origin_names_the_forward_op_and_its_line(here):
    w = gs.Parameter(np.array([0.0, 1.0]), name="w")
    with pytest.raises(gs.NonFiniteError) as caught, np.errstate(all="ignore"):
        with gs.nan_hunt():
            r, site = gs.sqrt(w), here()  # finite forward; 1 / (2 sqrt(0)) = inf backward
            gs.sum(r * 3.0).backward()
    err = caught.value
    assert (err.op, err.node, err.phase, err.site, err.forward_site) == ("sqrt", "sqrt#0", "backward", site, site)
    assert "gradient of w" in str(err) and "backward pass of sqrt" in str(err)


def test_nan_that_came_in_with_the_data_is_not_an_origin_and_finite_runs_pass():
    with gs.nan_hunt() as hunt:
        gs.exp(gs.tensor(np.array([np.nan, 1.0])))
        w = gs.Parameter(np.ones(3))
        gs.sum(gs.log(w + 1.0) * gs.exp(w)).backward()
    assert hunt.origins == []
    with np.errstate(all="ignore"):
        gs.exp(gs.tensor(np.array([1000.0])))  # outside the block: nothing listens, nothing raises


def test_decorator_forms(here):
    calls = []

    @gs.nan_hunt
    def bare(v):
        calls.append(v)
        return gs.log(gs.tensor(np.array([v])))

    @gs.nan_hunt()
    def called(v):
        return gs.log(gs.tensor(np.array([v])))

    with np.errstate(all="ignore"):
        assert bare(1.0).item() == 0.0 and called(np.e).item() == pytest.approx(1.0)
        for fn in (bare, called):
            with pytest.raises(gs.NonFiniteError) as caught:
                fn(-1.0)
            assert caught.value.op == "log"
    assert calls == [1.0, -1.0] and bare.__name__ == "bare"
    assert hooks.listeners() == ()


def test_record_mode_keeps_every_origin_and_raises_nothing(here):
    with np.errstate(all="ignore"):
        with gs.nan_hunt(mode="record") as hunt:
            site_log = here(); a = gs.log(gs.tensor(np.array([-1.0, 2.0])))  # noqa: E702
            gs.exp(a)  # NaN in: not a new origin
            site_div = here(); gs.tensor(np.array([1.0])) / 0.0  # noqa: E702
            w = gs.Parameter(np.array([0.0]))
            site_sqrt = here(); gs.sum(gs.sqrt(w)).backward()  # noqa: E702
    found = [(f.node, f.details["phase"], f.site) for f in hunt.origins]
    assert found == [("log#0", "forward", site_log), ("div#0", "forward", site_div),
                     ("sqrt#0", "backward", site_sqrt)]
    assert all(f.kind == "nonfinite" and f.severity == "error" for f in hunt.origins)

    @gs.nan_hunt(mode="record")
    def decorated():
        gs.log(gs.tensor(np.array([-2.0])))

    with np.errstate(all="ignore"):
        decorated()
    with pytest.raises(ValueError):
        gs.nan_hunt(mode="loud")


def _bug_line(script: Path) -> int:
    return next(i for i, line in enumerate(script.read_text().splitlines(), 1) if "  # BUG" in line)


def test_environment_variable_turns_it_on_for_a_whole_script():
    script = EXAMPLES / "nan_exp_overflow.py"
    env = dict(os.environ, GRAPHSCOPE_NAN_HUNT="1", PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "NonFiniteError" in done.stderr and "exp" in done.stderr
    assert f"{script}:{_bug_line(script)}" in done.stderr
    fixed = subprocess.run([sys.executable, str(script), "--fixed"], env=env, capture_output=True, text=True,
                           timeout=120)
    assert fixed.returncode == 0, fixed.stderr


def test_an_origin_in_a_second_backward_through_a_retained_graph_keeps_its_name(here):
    class Flaky(gs.Function):
        """Its backward goes bad the second time it runs."""

        calls = 0

        def forward(self, x):
            return x * 1.0

        def backward(self, gy):
            Flaky.calls += 1
            return gy * (np.nan if Flaky.calls == 2 else 1.0)

    w = gs.Parameter(np.array([1.0, 2.0]), name="w")
    with pytest.raises(gs.NonFiniteError) as caught:
        with gs.nan_hunt():
            loss, site = gs.sum(Flaky()(w)), here()
            loss.backward(retain_graph=True)
            loss.backward(retain_graph=True)
    assert (caught.value.node, caught.value.site, caught.value.phase) == ("flaky#0", site, "backward")

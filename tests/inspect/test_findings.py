"""Finding: plain data with a severity order, a dict form, and one line of text."""

import numpy as np

import graphscope as gs
from graphscope.inspect.findings import KINDS, SEVERITIES, Finding, severity_rank
from graphscope.inspect.checks import ALL_CHECKS


def test_every_kind_has_its_check():
    assert set(KINDS) == set(ALL_CHECKS) and len(KINDS) == 8


def test_severity_order():
    assert [severity_rank(s) for s in SEVERITIES] == [0, 1, 2]
    assert severity_rank("made-up") > severity_rank("info")
    f = Finding("nonfinite", "warning", 0, "exp#0", "m")
    assert f.at_least("warning") and f.at_least("info") and not f.at_least("error")


def test_dict_round_trip_and_text():
    f = Finding("stale-cache", "error", 3, "fc1/matmul#0", "changed", "train.py:12", {"input": "fc1.weight"},
                count=4, last_step=9)
    d = f.to_dict()
    assert d["site"] == "train.py:12" and d["last_step"] == 9
    assert Finding.from_dict(d) == f
    assert Finding("nonfinite", "info", 2, "n", "m").last_step == 2
    assert str(f) == "[error] stale-cache fc1/matmul#0 (step 3) at train.py:12: changed"


def test_a_problem_found_every_step_is_one_finding_with_a_count():
    w = gs.Parameter(np.ones(3), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(4):
            loss = gs.mse_loss(w * 2.0, gs.tensor(np.zeros(3), trainable=True, name="y"))
            opt.zero_grad()
            loss.backward()
            opt.step()
    [f] = insp.findings
    assert (f.kind, f.step, f.last_step, f.count) == ("trainable-target", 0, 3, 4)
    assert insp.trace.findings_at(2) == [f] and insp.trace.findings_at(2, node="w") == []

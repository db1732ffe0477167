"""grad-accumulation: a backward that adds to a gradient from before the last update."""

import numpy as np

import graphscope as gs


def _data():
    rng = np.random.default_rng(1)
    return gs.tensor(rng.normal(0, 1, (8, 2))), gs.tensor(rng.normal(0, 1, (8, 1)))


def test_manual_sgd_loop_without_clearing(here):
    x, y = _data()
    w = gs.Parameter(np.zeros((2, 1)), name="w")
    with gs.Inspector() as insp:
        for _ in range(3):
            loss = gs.mse_loss(x @ w, y)
            loss.backward(); site = here()  # noqa: E702 - the site is the backward() line
            w.data -= 0.1 * w.grad
    found = [f for f in insp.findings if f.kind == "grad-accumulation"]
    assert [(f.node, f.site, f.severity, f.step, f.count) for f in found] == [("w", site, "warning", 1, 2)]
    assert "step 0" in found[0].message


def test_optimizer_loop_without_zero_grad(here):
    x, y = _data()
    model = gs.nn.Linear(2, 1, dtype=np.float64)
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(2):
            loss = gs.mse_loss(model(x), y)
            loss.backward(); site = here()  # noqa: E702
            opt.step()
    found = sorted((f.node, f.site) for f in insp.findings if f.kind == "grad-accumulation")
    assert found == [("bias", site), ("weight", site)]


def test_silent_when_cleared_by_any_means():
    x, y = _data()
    w = gs.Parameter(np.zeros((2, 1)), name="w")
    model = gs.nn.Linear(2, 1, dtype=np.float64)
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    with gs.Inspector() as insp:
        for step in range(6):
            loss = gs.mse_loss(x @ w, y) + gs.mse_loss(model(x), y)
            if step % 3 == 0:
                w.zero_grad()
                opt.zero_grad()
            elif step % 3 == 1:
                w.cleargrad()
                model.zero_grad()
            elif w.grad is not None:
                w.grad[...] = 0.0  # zeroed in place, as PyTorch's set_to_none=False does
                for p in model.parameters():
                    p.grad *= 0
            loss.backward()
            w.data -= 0.1 * w.grad
            opt.step()
    assert insp.findings == []


def test_silent_for_deliberate_accumulation_over_micro_batches():
    x, y = _data()
    w = gs.Parameter(np.zeros((2, 1)), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(3):
            opt.zero_grad()
            for half in (slice(0, 4), slice(4, 8)):  # two backward()s, then one update
                gs.mse_loss(gs.tensor(x.data[half]) @ w, gs.tensor(y.data[half])).backward()
            opt.step()
    assert insp.findings == []

"""stale-cache: backward through values that no longer match their source."""

import numpy as np

import graphscope as gs


def test_parameter_reassigned_between_forward_and_backward(here, only):
    w = gs.Parameter(np.ones(3), name="w")
    x = gs.tensor(np.arange(3.0))
    with gs.Inspector() as insp:
        y, site = x * w, here()
        w.data = w.data * 2  # the update comes before backward
        gs.sum(y).backward()
    f = only(insp, "stale-cache")
    assert (f.node, f.severity, f.site) == ("mul#0", "error", site)
    assert "version 0 -> 1" in f.message


def test_parameter_edited_in_place_is_caught_by_content(here, only):
    w = gs.Parameter(np.ones(3), name="w")
    with gs.Inspector() as insp:
        y, site = gs.tensor(np.arange(3.0)) * w, here()
        w.data[1] = 5.0  # no assignment, so no version bump
        gs.sum(y).backward()
    f = only(insp, "stale-cache")
    assert (f.node, f.site) == ("mul#0", site) and "in place" in f.message


def test_graph_of_an_earlier_step_backpropagated_again(here):
    w = gs.Parameter(np.ones((2, 1)), name="w")
    x = gs.tensor(np.ones((4, 2)))
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        loss, site = gs.sum(x @ w), here()
        for _ in range(3):
            opt.zero_grad()
            loss.backward(retain_graph=True)
            opt.step()
    found = [f for f in insp.findings if f.kind == "stale-cache"]
    assert [(f.node, f.site, f.step, f.count) for f in found] == [("matmul#0", site, 1, 2)]
    assert "graph of step 0" in found[0].message


def test_reading_a_result_cached_from_an_earlier_step(here):
    w = gs.Parameter(np.ones(2), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        cached = gs.tanh(w * 2.0)
        for _ in range(2):
            loss, site = gs.sum(cached * 3.0), here()
            opt.zero_grad()
            loss.backward(retain_graph=True)
            opt.step()
    reads = [f for f in insp.findings if f.kind == "stale-cache" and f.severity == "warning"]
    assert [(f.node, f.site, f.step) for f in reads] == [("mul#0", site, 1)]
    assert "tanh#0 at step 0" in reads[0].message


def test_silent_when_every_step_builds_its_graph():
    w = gs.Parameter(np.ones((2, 1)), name="w")
    x = gs.tensor(np.ones((4, 2)))
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(4):
            loss = gs.sum(gs.tanh(x @ w))
            opt.zero_grad()
            loss.backward()
            opt.step()
        w.data = w.data + 1  # changing a parameter after backward is fine
        gs.sum(x @ w).backward()
    assert [f for f in insp.findings if f.kind == "stale-cache"] == []


def test_silent_for_a_metric_computed_from_last_steps_output_after_the_update(moons):
    x, y = moons
    gs.seed(0)
    model = gs.nn.MLP([2, 8, 2])
    opt = gs.optim.Adam(model.parameters(), lr=0.01)
    with gs.Inspector() as insp:
        for _ in range(4):
            logits = model(gs.tensor(x))
            loss = gs.cross_entropy(logits, gs.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            confidence = gs.mean(gs.max(gs.softmax(logits), axis=1))  # ops on a graph of the last step
    assert 0.5 < confidence.item() < 1 and insp.findings == []


def test_silent_for_a_gan_step_split_by_the_discriminators_update():
    rng = np.random.default_rng(0)
    gs.seed(0)
    gen, disc = gs.nn.MLP([2, 8, 2]), gs.nn.MLP([2, 8, 1])
    opt_g, opt_d = gs.optim.Adam(gen.parameters(), lr=1e-3), gs.optim.Adam(disc.parameters(), lr=1e-3)
    real, ones, zeros = (gs.tensor(a.astype(np.float32)) for a in (rng.normal(3, 1, (16, 2)), np.ones((16, 1)),
                                                                   np.zeros((16, 1))))
    with gs.Inspector() as insp:
        for _ in range(5):
            fake = gen(gs.tensor(rng.normal(0, 1, (16, 2)).astype(np.float32)))
            d_loss = (gs.binary_cross_entropy(gs.sigmoid(disc(real)), ones)
                      + gs.binary_cross_entropy(gs.sigmoid(disc(fake.detach())), zeros))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()  # ends a step: the generator's batch now belongs to the one before
            g_loss = gs.binary_cross_entropy(gs.sigmoid(disc(fake)), ones)
            opt_g.zero_grad()
            opt_d.zero_grad()
            g_loss.backward()
            opt_g.step()
    assert insp.findings == []


def test_in_place_updates_between_steps_are_fine_even_without_step_boundaries():
    w = gs.Parameter(np.ones(3), name="w")
    x = gs.tensor(np.arange(3.0))
    with gs.Inspector() as insp:
        for _ in range(3):
            gs.sum(gs.tanh(x * w)).backward()
            np.subtract(w.data, 0.1 * w.grad, out=w.data)  # in place: no version bump, no step boundary
            w.zero_grad()
    assert len(insp.steps) == 1 and insp.findings == []


def test_an_in_place_edit_of_a_large_parameter_is_seen(here, only):
    w = gs.Parameter(np.ones((300, 300)), name="w")
    with gs.Inspector(stats=False) as insp:
        y, site = gs.tensor(np.ones((2, 300))) @ w, here()
        np.clip(w.data, -0.5, 0.5, out=w.data)  # a max-norm style clamp, in place, before backward
        gs.sum(y).backward()
    f = only(insp, "stale-cache")
    assert (f.node, f.site) == ("matmul#0", site) and "in place" in f.message

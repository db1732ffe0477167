"""no-gradient: a trainable tensor in the optimizer that the loss never reaches."""

import numpy as np

import graphscope as gs


class Net(gs.nn.Module):
    def __init__(self, mode="ok"):
        super().__init__()
        self.fc1 = gs.nn.Linear(2, 4, dtype=np.float64)
        self.fc2 = gs.nn.Linear(4, 4, dtype=np.float64)
        self.out = gs.nn.Linear(4, 1, dtype=np.float64)
        self.mode, self.site = mode, ""

    def forward(self, x):
        h = gs.tanh(self.fc1(x))
        if self.mode == "skip":  # fc2 defined, handed to the optimizer, never called
            return self.out(h)
        if self.mode == "detach":
            h = self.fc2(h).detach(); self.site = _site()  # noqa: E702
        elif self.mode == "no_grad":
            with gs.no_grad():
                h = self.fc2(h); self.site = _site()  # noqa: E702
        else:
            h = self.fc2(h)
        return self.out(gs.tanh(h))


def _site():
    import sys

    frame = sys._getframe(1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _train(net, steps=3):
    x, y = gs.tensor(np.ones((4, 2))), gs.tensor(np.zeros((4, 1)))
    opt = gs.optim.SGD(net.parameters(), lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(steps):
            loss = gs.mse_loss(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step(); site = _site()  # noqa: E702
    return insp, site


def test_a_layer_never_called():
    insp, step_site = _train(Net("skip"), steps=3)
    found = [(f.node, f.site, f.severity, f.count) for f in insp.findings if f.kind == "no-gradient"]
    # A layer that never runs never announces its dotted name: the name and shape say which.
    assert sorted(found) == [("bias[4]", step_site, "warning", 3), ("weight[4, 4]", step_site, "warning", 3)]
    assert "nothing reads it" in insp.findings[0].message and "3 update(s) in a row" in insp.findings[0].message


def test_one_or_two_missed_updates_are_info_only():
    insp, _ = _train(Net("skip"), steps=2)
    assert {(f.kind, f.severity) for f in insp.findings} == {("no-gradient", "info")}


def test_alternating_heads_are_not_a_warning(serious):
    # Multi-task training: each step trains the shared trunk and one of two heads.
    trunk = gs.nn.Linear(2, 4, dtype=np.float64)
    heads = [gs.nn.Linear(4, 1, dtype=np.float64) for _ in range(2)]
    params = trunk.parameters() + heads[0].parameters() + heads[1].parameters()
    opt = gs.optim.SGD(params, lr=0.1)
    x, y = gs.tensor(np.ones((4, 2))), gs.tensor(np.zeros((4, 1)))
    with gs.Inspector() as insp:
        for step in range(6):
            loss = gs.mse_loss(heads[step % 2](gs.tanh(trunk(x))), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert serious(insp) == [] and {f.kind for f in insp.findings} == {"no-gradient"}


def test_a_layer_cut_from_the_graph_points_at_the_cut():
    for mode in ("detach", "no_grad"):
        net = Net(mode)
        insp, _ = _train(net)
        found = sorted((f.node, f.site) for f in insp.findings if f.kind == "no-gradient")
        # fc1 feeds fc2, so it is cut off too, at the same place
        expected = [(f"fc{i}.{p}", net.site) for i in (1, 2) for p in ("bias", "weight")]
        assert found == expected, mode


def test_silent_when_every_parameter_gets_a_gradient_or_is_frozen():
    net = Net()
    net.fc1.weight.trainable = False  # frozen on purpose: the optimizer skips it
    insp, _ = _train(net, steps=3)
    assert insp.findings == []

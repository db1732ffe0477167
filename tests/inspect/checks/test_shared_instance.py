"""shared-instance: one stateful object applied at several positions of one graph."""

import numpy as np

import graphscope as gs


class Remember(gs.nn.Module):
    """A stateful layer: keeps its last input on itself, as hand-written layers do."""

    def forward(self, x):
        self.last_input = x.data
        return gs.tanh(x)


class Net(gs.nn.Module):
    def __init__(self, first, second):
        super().__init__()
        self.fc1, self.fc2 = gs.nn.Linear(2, 4, dtype=np.float64), gs.nn.Linear(4, 4, dtype=np.float64)
        self.act1, self.act2 = first, second

    def forward(self, x, here=None):
        h = self.act1(self.fc1(x))
        self.site = here() if here else ""; return self.act2(self.fc2(h))  # noqa: E702 - one line


def _run(net, here=None, steps=2):
    x = gs.tensor(np.ones((3, 2)))
    opt = gs.optim.SGD(net.parameters(), lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(steps):
            loss = gs.sum(net(x, here))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return insp


def test_one_stateful_object_at_two_positions(here, only):
    shared = Remember()
    net = Net(shared, shared)
    insp = _run(net, here)
    f = only(insp, "shared-instance")
    assert (f.node, f.site, f.severity, f.step, f.count) == ("act2", net.site, "warning", 0, 2)
    assert f.details["positions"] == ["act1", "act2"] and f.details["state"] == ["last_input"]


def test_silent_for_one_instance_per_position():
    insp = _run(Net(Remember(), Remember()))
    assert insp.findings == []


def test_silent_for_a_shared_stateless_module():
    act = gs.nn.Tanh()  # keeps nothing on itself: sharing it is harmless
    insp = _run(Net(act, act))
    assert insp.findings == []


def test_silent_for_one_stateful_object_called_once_per_step_across_steps():
    insp = _run(Net(Remember(), gs.nn.Tanh()), steps=4)
    assert insp.findings == []


def test_silent_when_a_stateful_model_is_called_for_evaluation_then_for_training():
    net = Net(Remember(), Remember())
    x = gs.tensor(np.ones((3, 2)))
    opt = gs.optim.SGD(net.parameters(), lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(3):
            with gs.no_grad():
                net(x * 2.0)  # a validation batch: its call's state is overwritten, never used
            loss = gs.sum(net(x))
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert insp.findings == []


def test_a_model_called_twice_before_one_backward_is_reported():
    # A siamese pair through stateful layers: the second call overwrites what the first saved.
    net = Net(Remember(), Remember())
    x = gs.tensor(np.ones((3, 2)))
    with gs.Inspector() as insp:
        loss = gs.sum(net(x)) + gs.sum(net(x * 2.0))
        loss.backward()
    found = sorted((f.kind, f.node, tuple(f.details["positions"])) for f in insp.findings)
    assert found == [("shared-instance", "act1", ("act1", "act1")), ("shared-instance", "act2", ("act2", "act2"))]

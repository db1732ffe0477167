"""The event bus: what the engine announces, to whom, and at what cost."""

from __future__ import annotations

import threading

import numpy as np

import graphscope as gs
from graphscope import hooks

HERE = __file__


class Recorder(hooks.Listener):
    def __init__(self):
        self.events: list[tuple[str, object]] = []

    def _keep(name):  # noqa: N805 - a decorator factory used in the class body
        def handler(self, ev):
            self.events.append((name, ev))

        return handler

    on_forward = _keep("forward")
    on_backward = _keep("backward")
    on_backward_start = _keep("backward_start")
    on_backward_end = _keep("backward_end")
    on_leaf_grad = _keep("leaf_grad")
    on_module_enter = _keep("module_enter")
    on_module_exit = _keep("module_exit")
    on_update = _keep("update")
    on_zero_grad = _keep("zero_grad")

    def of(self, name):
        return [ev for n, ev in self.events if n == name]


def _line(text: str) -> int:
    lines = open(HERE, encoding="utf-8").read().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line and "_line(" not in line)


def test_forward_events_carry_plain_data_and_the_users_line():
    w = gs.Parameter(np.ones((3, 1)), name="w")
    x = gs.tensor(np.ones((2, 3)))
    with hooks.listen(Recorder()) as rec:
        y = x @ w  # the op under test
    (ev,) = rec.of("forward")
    assert ev.op == "matmul" and ev.recorded
    assert [r.id for r in ev.inputs] == [x.uid, w.uid] and ev.output.id == y.uid
    assert ev.inputs[1].trainable and not ev.inputs[0].trainable and ev.inputs[1].name == "w"
    assert ev.output.data is y.data  # handed over without a copy
    assert ev.site == f"{HERE}:{_line('y = x @ w  # the op under test')}"


def test_backward_leaf_grad_and_loss_roles():
    w = gs.Parameter(np.ones(2), name="w")
    with hooks.listen(Recorder()) as rec:
        loss = gs.mse_loss(w * 2.0, gs.tensor(np.zeros(2)))
        loss.backward()
    forward = rec.of("forward")
    assert forward[-1].op == "mse_loss" and forward[-1].roles == ("prediction", "target")
    ops = [ev.op for ev in rec.of("backward")]
    assert ops == ["mse_loss", "mul"]
    mul = rec.of("backward")[1]
    assert mul.seq == forward[0].seq and mul.input_versions == (0, 0)
    (leaf,) = rec.of("leaf_grad")
    assert leaf.tensor.id == w.uid and leaf.previous is None and np.allclose(leaf.grad, w.grad)
    assert [n for n, _ in rec.events if n.startswith("backward_")] == ["backward_start", "backward_end"]
    assert rec.of("backward_end")[0].completed


def test_module_events_have_dotted_paths_and_state():
    class Cached(gs.nn.Module):  # keeps per-call state: what shared-instance looks for
        def forward(self, x):
            self.out = x
            return x

    model = gs.nn.Sequential(gs.nn.Linear(2, 2), Cached())
    with hooks.listen(Recorder()) as rec:
        model(gs.tensor(np.ones((1, 2), np.float32)))
    assert [ev.path for ev in rec.of("module_enter")] == ["", "0", "1"]
    assert [name for name, _ in rec.of("module_enter")[1].params] == ["weight", "bias"]
    exits = {ev.path: ev for ev in rec.of("module_exit")}
    assert exits["1"].state_written == ("out",) and exits["0"].state_written == ()
    assert rec.of("forward")[0].module == "0"


def test_optimizer_announces_updates_and_zero_grad():
    p = gs.Parameter([1.0])
    opt = gs.optim.SGD([p], lr=0.5)
    with hooks.listen(Recorder()) as rec:
        opt.zero_grad()
        (p * 2.0).backward()
        opt.step()
    (update,) = rec.of("update")
    assert update.optimizer == "SGD" and update.params[0].id == p.uid and update.params[0].version == 1
    assert rec.of("zero_grad")[0].tensor_ids == (p.uid,)


def test_listeners_are_per_thread():
    rec = Recorder()
    seen_in_thread = []

    def other():
        gs.tensor([1.0]) * 2.0
        seen_in_thread.append(len(rec.events))

    with hooks.listen(rec):
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
    assert seen_in_thread == [0] and rec.events == []


def test_nothing_is_emitted_without_a_listener_and_listen_restores():
    rec = Recorder()
    with hooks.listen(rec):
        pass
    gs.Parameter([1.0]) * 2.0
    assert rec.events == [] and hooks.active == 0 and hooks.listeners() == ()


def test_events_are_built_only_for_listeners_that_handle_them():
    class OnlyForward(hooks.Listener):
        def __init__(self):
            self.n = 0

        def on_forward(self, ev):
            self.n += 1

    with hooks.listen(OnlyForward()) as listener:
        assert hooks.wants("on_forward") and not hooks.wants("on_module_enter")
        gs.nn.Linear(2, 1)(gs.tensor(np.ones((1, 2), np.float32)))
    assert listener.n == 2

"""The event bus: what the engine announces, to whom, and at what cost."""

from __future__ import annotations

import threading

import numpy as np
import pytest

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


def test_backward_events_carry_the_gradients():
    w = gs.Parameter([1.0, 2.0], name="w")
    x = gs.tensor([3.0, 4.0])
    with hooks.listen(Recorder()) as rec:
        (w * x).sum().backward()  # the backward call
    total, mul = rec.of("backward")
    assert total.op == "sum" and total.grad_output.tolist() == 1.0
    assert mul.op == "mul" and mul.grad_output.tolist() == [1.0, 1.0]
    assert mul.grad_inputs[0].tolist() == [3.0, 4.0] and mul.grad_inputs[1] is None  # x takes none
    assert [r.id for r in mul.inputs] == [w.uid, x.uid]
    (start,) = rec.of("backward_start")
    assert start.backward_id == total.backward_id == mul.backward_id and not start.retain_graph
    assert start.site == f"{HERE}:{_line('.backward()  # the backward call')}"


def test_nested_module_paths_and_one_object_at_two_places():
    gs.seed(0)
    shared = gs.nn.Linear(2, 2)
    model = gs.nn.Sequential(gs.nn.MLP([2, 3, 2]), shared, gs.nn.ReLU(), shared)
    with hooks.listen(Recorder()) as rec:
        model(gs.tensor(np.ones((1, 2), np.float32)))
    enters = rec.of("module_enter")
    assert [ev.path for ev in enters] == ["", "0", "0.fc1", "0.act1", "0.fc2", "1", "2", "3"]
    assert [ev.cls for ev in enters][:3] == ["Sequential", "MLP", "Linear"]
    by_path = {ev.path: ev for ev in enters}
    assert by_path["1"].module_id == by_path["3"].module_id == id(shared) != by_path["0.fc1"].module_id
    assert [ev.path for ev in rec.of("module_exit")] == ["0.fc1", "0.act1", "0.fc2", "0", "1", "2", "3", ""]
    assert [(ev.op, ev.module) for ev in rec.of("forward")][:3] == [("matmul", "0.fc1"), ("add", "0.fc1"),
                                                                    ("relu", "0.act1")]


def test_leaf_grad_events_show_the_previous_gradient():
    w = gs.Parameter([1.0])
    with hooks.listen(Recorder()) as rec:
        (w * 2.0).backward()
        (w * 3.0).backward()  # no zero_grad between: the gradient accumulates
    first, second = rec.of("leaf_grad")
    assert first.previous is None and first.grad.tolist() == [2.0]
    assert second.previous.tolist() == [2.0] and second.grad.tolist() == [5.0]


def test_tensor_zero_grad_and_optimizer_events_name_the_sites():
    p = gs.Parameter([1.0])
    opt = gs.optim.Adam([p], lr=0.1)
    with hooks.listen(Recorder()) as rec:
        (p * 2.0).backward()
        opt.step()  # the optimizer step
        p.zero_grad()  # the tensor's zero_grad
    (update,) = rec.of("update")
    assert update.optimizer == "Adam" and update.optimizer_id == id(opt) and update.grads[0].tolist() == [2.0]
    assert update.params[0].data is p.data and update.params[0].version == p.version == 1
    assert update.site == f"{HERE}:{_line('opt.step()  # the optimizer step')}"
    (zero,) = rec.of("zero_grad")
    assert zero.source == "tensor" and zero.tensor_ids == (p.uid,)
    assert zero.site == f"{HERE}:{_line('p.zero_grad()  # the tensor')}"


def test_ops_under_no_grad_are_announced_as_not_recorded():
    w = gs.Parameter([1.0])
    with hooks.listen(Recorder()) as rec, gs.no_grad():
        w * 2.0
    (ev,) = rec.of("forward")
    assert ev.op == "mul" and not ev.recorded


def test_nothing_is_built_or_emitted_when_nobody_listens(monkeypatch):
    calls = []
    monkeypatch.setattr(hooks, "emit", lambda *args: calls.append(args[0]))
    # the call site is looked up only for an event: count every lookup the engine makes
    import graphscope.engine.autograd as autograd_module
    import graphscope.engine.function as function_module
    import graphscope.engine.nn as nn_module
    import graphscope.engine.optim as optim_module

    for module in (function_module, autograd_module, nn_module, optim_module):
        monkeypatch.setattr(module, "user_site", lambda depth=1: calls.append("user_site") or "x:1")
    model = gs.nn.MLP([2, 3, 1])
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    gs.mse_loss(model(gs.tensor(np.ones((4, 2), np.float32))), gs.tensor(np.zeros((4, 1), np.float32))).backward()
    opt.step()
    assert calls == []
    with hooks.listen(Recorder()):  # the same patches do see events once someone listens
        gs.Parameter([1.0]) * 2.0
    assert calls == ["user_site", "on_forward"]


def test_a_listener_in_another_thread_sees_only_that_threads_ops():
    rec = Recorder()
    listening, done = threading.Event(), threading.Event()

    def other():
        with hooks.listen(rec):
            listening.set()
            gs.tensor([1.0]) - 1.0
            done.wait()

    worker = threading.Thread(target=other)
    worker.start()
    listening.wait()
    try:
        assert hooks.active >= 1 and hooks.listeners() == ()
        gs.nn.Linear(1, 1)(gs.tensor(np.ones((1, 1), np.float32))).sum().backward()  # not seen
    finally:
        done.set()
        worker.join()
    assert [ev.op for ev in rec.of("forward")] == ["sub"]
    assert rec.of("backward") == [] and rec.of("module_enter") == []


@pytest.mark.parametrize("loss", [gs.mse_loss, gs.binary_cross_entropy, gs.cross_entropy])
def test_every_loss_names_prediction_and_target(loss):
    pred = gs.Parameter(np.full((2, 2), 0.25))
    target = gs.tensor(np.array([0, 1]) if loss is gs.cross_entropy else np.full((2, 2), 0.5))
    with hooks.listen(Recorder()) as rec:
        loss(pred, target)
    (ev,) = rec.of("forward")
    assert ev.roles == ("prediction", "target") and [r.id for r in ev.inputs] == [pred.uid, target.uid]


def test_graphs_are_freed_the_same_while_someone_listens():
    w = gs.Parameter([1.0, 2.0])
    with hooks.listen(Recorder()) as rec:
        kept = (w * w).sum()
        kept.backward(retain_graph=True)
        kept.backward()
        with pytest.raises(gs.GraphFreedError, match="retain_graph=True"):
            kept.backward()
    assert w.grad.tolist() == [4.0, 8.0]
    assert [ev.retain_graph for ev in rec.of("backward_start")] == [True, False]


def test_a_failing_backward_still_ends_and_says_it_did_not_complete():
    class WrongShape(gs.Function):
        def forward(self, x):
            return x.sum()

        def backward(self, gy):
            return gy

    with hooks.listen(Recorder()) as rec:
        y = WrongShape()(gs.Parameter(np.ones(3)))
        with pytest.raises(gs.BackwardContractError, match=r"WrongShape.*\(3,\)"):
            y.backward()
    assert [ev.completed for ev in rec.of("backward_end")] == [False]

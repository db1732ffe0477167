"""no_grad: no graph inside, per thread, also as a decorator."""

from __future__ import annotations

import threading

import graphscope as gs


def test_no_grad_records_nothing_and_restores():
    x = gs.Parameter([1.0])
    with gs.no_grad():
        y = x * 2.0
        assert not gs.is_grad_enabled()
    assert y.creator is None and not y.requires_grad
    assert gs.is_grad_enabled() and (x * 2.0).creator is not None


def test_no_grad_as_a_decorator_and_after_an_exception():
    @gs.no_grad()
    def evaluate(t):
        return t * 2.0

    assert evaluate(gs.Parameter([1.0])).creator is None
    try:
        with gs.no_grad():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gs.is_grad_enabled()


def test_no_grad_in_one_thread_leaves_others_recording():
    inside, seen = threading.Event(), {}

    def other():
        inside.wait()
        seen["recorded"] = (gs.Parameter([1.0]) * 2.0).creator is not None

    worker = threading.Thread(target=other)
    worker.start()
    with gs.no_grad():
        inside.set()
        worker.join()
    assert seen["recorded"]


def test_enable_grad_inside_no_grad():
    with gs.no_grad(), gs.enable_grad():
        assert (gs.Parameter([1.0]) * 2.0).creator is not None

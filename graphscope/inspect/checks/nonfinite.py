"""nonfinite: the first op whose output (forward) or input gradient (backward) holds
NaN or inf while everything it read was finite. Ops downstream only propagate it.

Backward, with statistics on, a value read by one op costs nothing extra: the gradient
that reaches it is that op's part alone, and the recorder summarizes it anyway (a node's
when its backward runs, a leaf's at the step's end). A value read by several ops gets the
sum of their parts, which cannot say whose part went bad, so those ops test their part."""

from __future__ import annotations

from ..stats import all_finite, summarize
from .base import Check


def describe_inputs(refs, labels) -> str:
    return _describe((label, tuple(r.data.shape), r.data.dtype, summarize(r.data)) for r, label in zip(refs, labels))


def _describe(inputs) -> str:
    return "; ".join(f"input {i} {label} {shape} {dtype}: {stats.short()}"
                     for i, (label, shape, dtype, stats) in enumerate(inputs))


class NonFiniteCheck(Check):
    kind = "nonfinite"

    def __init__(self):
        self._users: dict[str, list] = {}  # key -> the nodes of this step that read it
        self._inherited: set[int] = set()  # leaves whose .grad already held NaN/inf from before

    def on_forward(self, ev, node, rec):
        for k in node.info.inputs:
            self._users.setdefault(k, []).append(node)
        out_ok = node.value.finite if node.value is not None else all_finite(ev.output.data)
        if out_ok or not all(_finite(ref, rec) for ref in ev.inputs):
            return None
        out = node.value or summarize(ev.output.data)
        message = (f"{ev.op} produced {out.nan} NaN and {out.inf} inf (of {out.count}) from finite inputs; "
                   f"{describe_inputs(ev.inputs, node.info.inputs)}")
        return [self.finding("error", rec.step_index, node.info.key, message, ev.site, phase="forward", op=ev.op)]

    def on_backward(self, ev, node, rec):
        if node is None or node.grad is None:  # an earlier step's graph, or no statistics: test every part
            return self._test_parts(ev, rec, range(len(ev.inputs)))
        found = [] if node.grad.finite else self._blame(rec, node.info.key, node.grad)
        shared = [i for i, k in enumerate(node.info.inputs) if len(self._users.get(k, ())) > 1]
        return found + self._test_parts(ev, rec, shared) if shared and node.grad.finite else found

    def on_leaf_grad(self, ev, leaf, rec):
        if ev.previous is not None and not all_finite(ev.previous):  # never cleared: not this step's doing
            self._inherited.add(ev.tensor.id)
        return None

    def on_step_end(self, step, rec):
        found = []
        for leaf in step.leaves:  # the recorder summarized every leaf's gradient before this
            if leaf.grad is not None and not leaf.grad.finite and leaf.uid not in self._inherited:
                found += self._blame(rec, leaf.info.key, leaf.grad)
        self._users.clear()
        self._inherited.clear()
        return found

    def _test_parts(self, ev, rec, indices):
        bad = [i for i in indices if ev.grad_inputs[i] is not None and not all_finite(ev.grad_inputs[i])]
        if not bad or not all_finite(ev.grad_output) or not all(all_finite(r.data) for r in ev.inputs):
            return []
        found = rec.locate_seq(ev.seq)
        info = found[1].info if found else None
        labels = info.inputs if info else tuple(f"#{i}" for i in range(len(ev.inputs)))
        return [self._backward(rec, ev.op, info, labels[bad[0]], summarize(ev.grad_inputs[bad[0]]),
                               summarize(ev.grad_output), describe_inputs(ev.inputs, labels))]

    def _blame(self, rec, key, grad):
        """The one op reading `key`, if its backward turned finite values into this gradient."""
        users = self._users.get(key, [])
        if len(users) != 1 or users[0].grad is None or not users[0].grad.finite:
            return []  # read by several (they tested their parts), or passed on from further down
        n = users[0]
        inputs = [rec.live.get(k) for k in n.info.inputs]
        if not all(r is not None and r.value is not None and r.value.finite for r in inputs):
            return []
        described = _describe((r.info.key, r.info.shape, r.info.dtype, r.value) for r in inputs)
        return [self._backward(rec, n.info.op, n.info, key, grad, n.grad, described)]

    def _backward(self, rec, op, info, label, g, gy, described):
        site = info.site if info else ""
        message = (f"backward of {op} (forward at {site or 'an unknown line'}) produced {g.nan} NaN and "
                   f"{g.inf} inf in the gradient of {label} from a finite output gradient ({gy.short()}); "
                   f"{described}")
        return self.finding("error", rec.step_index, info.key if info else f"{op}#?", message, site,
                            phase="backward", op=op, forward_site=site)


def _finite(ref, rec) -> bool:
    known = rec.live.record_by_uid.get(ref.id)  # its statistics, when the recorder has them
    return known.value.finite if known is not None and known.value is not None else all_finite(ref.data)

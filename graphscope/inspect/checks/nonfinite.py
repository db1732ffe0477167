"""nonfinite: the first op whose output (forward) or input gradient (backward) holds
NaN or inf while everything it read was finite. Ops downstream only propagate it."""

from __future__ import annotations

from ..stats import all_finite, summarize
from .base import Check


def describe_inputs(refs, labels) -> str:
    parts = []
    for i, (ref, label) in enumerate(zip(refs, labels)):
        stats = summarize(ref.data)
        parts.append(f"input {i} {label} {tuple(ref.data.shape)} {ref.data.dtype}: {stats.short()}")
    return "; ".join(parts)


class NonFiniteCheck(Check):
    kind = "nonfinite"

    def on_forward(self, ev, node, rec):
        out_ok = node.value.finite if node.value is not None else all_finite(ev.output.data)
        if out_ok or not all(_finite(ref, rec) for ref in ev.inputs):
            return None
        out = node.value or summarize(ev.output.data)
        message = (f"{ev.op} produced {out.nan} NaN and {out.inf} inf (of {out.count}) from finite inputs; "
                   f"{describe_inputs(ev.inputs, node.info.inputs)}")
        return [self.finding("error", rec.step_index, node.info.key, message, ev.site, phase="forward", op=ev.op)]

    def on_backward(self, ev, node, rec):
        bad = [i for i, g in enumerate(ev.grad_inputs) if g is not None and not all_finite(g)]
        if not bad or not all_finite(ev.grad_output) or not all(all_finite(r.data) for r in ev.inputs):
            return None
        found = rec.locate_seq(ev.seq)
        key = found[1].info.key if found else f"{ev.op}#?"
        site = found[1].info.site if found else ""
        labels = found[1].info.inputs if found else tuple(f"#{i}" for i in range(len(ev.inputs)))
        g = summarize(ev.grad_inputs[bad[0]])
        message = (f"backward of {ev.op} (forward at {site or 'an unknown line'}) produced {g.nan} NaN and "
                   f"{g.inf} inf in the gradient of input {bad[0]} ({labels[bad[0]]}) from a finite output "
                   f"gradient ({summarize(ev.grad_output).short()}); {describe_inputs(ev.inputs, labels)}")
        return [self.finding("error", rec.step_index, key, message, site, phase="backward", op=ev.op,
                             forward_site=site)]


def _finite(ref, rec) -> bool:
    known = rec.live.record_by_uid.get(ref.id)
    if known is not None and known.value is not None and known.uid == ref.id:
        return known.value.finite
    return all_finite(ref.data)

"""trainable-target: a loss target that is trainable, or computed from trainable
tensors: backward gives it a gradient, and the optimizer drags the target toward the
prediction instead of the other way round."""

from __future__ import annotations

from ..trace import LeafRecord
from .base import Check


class TrainableTargetCheck(Check):
    kind = "trainable-target"

    def on_forward(self, ev, node, rec):
        if not ev.roles:
            return None
        found = []
        for role, ref, key in zip(ev.roles, ev.inputs, node.info.inputs):
            if role != "target":
                continue
            if ref.trainable:
                why = f"the target {key} of {ev.op} is trainable"
            elif not ref.is_leaf and ref.requires_grad:
                sources = [k for k in rec.live.ancestors(key)
                           if isinstance(rec.live.get(k), LeafRecord) and rec.live.get(k).info.trainable]
                if not sources:
                    continue
                why = f"the target {key} of {ev.op} is computed from trainable {', '.join(sources)}"
            else:
                continue
            found.append(self.finding(
                "error", rec.step_index, key,
                f"{why}: backward() gives it a gradient and the optimizer will move the target toward the "
                f"prediction. Make targets with gs.tensor(...) (trainable=False), or .detach() them.",
                ev.site, loss=node.info.key))
        return found


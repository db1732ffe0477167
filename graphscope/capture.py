"""Draw a live tensor's graph: walk the engine graph behind a tensor and replay it,
op by op, as the hooks events the engine would have emitted, into a Recorder. The
drawing of a tensor and of an inspected run are then the same model and code.

This is the one place outside the engine that reads engine objects, as an adapter
from another engine would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from . import hooks
from .engine.autograd import topological_order
from .engine.function import tensor_ref
from .engine.tensor import Tensor
from .inspect.recorder import Recorder
from .inspect.trace import Trace


def trace_of(tensor: Tensor, params: Mapping[str, Tensor] | None = None) -> Trace:
    """A one-step Trace of the graph that computed `tensor`. `params` (e.g.
    dict(model.named_parameters())) names the parameters as the inspector would."""
    recorder = Recorder(keep_values=0)
    for name, p in (params or {}).items():
        recorder.param_names[p.uid] = name
    if tensor.creator is not None:
        functions = list(reversed(topological_order(tensor.creator)))
        outputs = {tensor.creator.seq: tensor}
        for fn in functions:
            for x in fn.inputs:
                if x.creator is not None:
                    outputs[x.creator.seq] = x
        for fn in functions:
            out = outputs[fn.seq]
            recorder.forward(hooks.ForwardEvent(
                seq=fn.seq, op=fn.op, op_id=fn.seq, inputs=tuple(tensor_ref(x) for x in fn.inputs),
                output=tensor_ref(out), site="", module="", module_id=0, recorded=True,
                roles=fn.input_roles, attrs=fn.attrs()))
    else:
        # a leaf alone: drawn as one node
        recorder._new_leaf(tensor_ref(tensor))
    recorder.close_step("complete")
    recorder.trace.meta["source"] = "tensor"
    return recorder.trace


def _trace_like(obj: Any, params: Mapping[str, Tensor] | None) -> Any:
    return trace_of(obj, params) if isinstance(obj, Tensor) else obj


def to_dot(obj: Any, step: int = -1, params: Mapping[str, Tensor] | None = None, **options: Any) -> str:
    """DOT source of a tensor's graph, or of a step of an Inspector / Trace."""
    from .render.dot import to_dot as dot_source

    return dot_source(_trace_like(obj, params), step=step, **options)


def render(obj: Any, path: str | Path, step: int = -1, params: Mapping[str, Tensor] | None = None,
           **options: Any) -> Path:
    """Draw a tensor's graph, or a step of an Inspector / Trace, to .dot/.svg/.png/.pdf."""
    from .render.dot import render as draw

    return draw(_trace_like(obj, params), path, step=step, **options)

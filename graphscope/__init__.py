"""graphscope: a numpy autodiff engine that shows where training goes wrong."""

from .engine import (BackwardContractError, DTypeError, Function, FunctionReuseError, GradcheckResult,
                     GraphFreedError, GraphscopeError, Parameter, ShapeError, Tensor, enable_grad,
                     gradcheck, is_grad_enabled, nn, no_grad, optim, tensor)
from .engine.nn import seed
from .engine.ops import (abs, add, binary_cross_entropy, broadcast_to, clip, concat, cross_entropy, div,
                         exp, getitem, leaky_relu, log, log_softmax, matmul, max, maximum, mean,
                         minimum, mse_loss, mul, neg, pow, relu, reshape, sigmoid, softmax, sqrt, sub,
                         sum, tanh, transpose, where)

from .inspect import (Check, Comparison, Finding, Inspector, NonFiniteError, Stats, StepRecord, Trace,
                      nan_hunt)
from .io import TraceFileError, load, save
from .capture import render, to_dot

__version__ = "0.1.0"

import os as _os

if _os.environ.get("GRAPHSCOPE_NAN_HUNT"):
    from .inspect.nanhunt import install_from_env as _install_nan_hunt

    _install_nan_hunt()

__all__ = [
    "BackwardContractError",
    "Check",
    "Comparison",
    "DTypeError",
    "Finding",
    "Function",
    "FunctionReuseError",
    "GradcheckResult",
    "GraphFreedError",
    "GraphscopeError",
    "Inspector",
    "NonFiniteError",
    "Parameter",
    "ShapeError",
    "Stats",
    "StepRecord",
    "Tensor",
    "Trace",
    "TraceFileError",
    "abs",
    "add",
    "binary_cross_entropy",
    "broadcast_to",
    "clip",
    "concat",
    "cross_entropy",
    "div",
    "enable_grad",
    "exp",
    "getitem",
    "gradcheck",
    "is_grad_enabled",
    "leaky_relu",
    "load",
    "log",
    "log_softmax",
    "matmul",
    "max",
    "maximum",
    "mean",
    "minimum",
    "mse_loss",
    "mul",
    "nan_hunt",
    "neg",
    "nn",
    "no_grad",
    "optim",
    "pow",
    "relu",
    "render",
    "reshape",
    "save",
    "seed",
    "sigmoid",
    "softmax",
    "sqrt",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "to_dot",
    "transpose",
    "where",
]

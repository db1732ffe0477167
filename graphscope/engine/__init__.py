"""The autodiff engine. It knows nothing of inspect/, render/, io or the CLI: it only
announces what it does through graphscope.hooks."""

from . import operators as _operators
from . import nn, optim
from .autograd import backward, topological_order
from ..errors import (BackwardContractError, DTypeError, FunctionReuseError, GraphFreedError,
                     GraphscopeError, ShapeError)
from .function import Function
from .gradcheck import GradcheckResult, gradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from . import ops
from .tensor import Parameter, Tensor, tensor

_operators.install()

__all__ = ["BackwardContractError", "DTypeError", "Function", "FunctionReuseError", "GradcheckResult",
           "GraphFreedError", "GraphscopeError", "Parameter", "ShapeError", "Tensor", "backward", "enable_grad",
           "gradcheck", "is_grad_enabled", "nn", "no_grad", "ops", "optim", "tensor", "topological_order"]

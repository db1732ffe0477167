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
from .ops import *  # noqa: F401,F403 - the op functions
from .ops import __all__ as _op_names
from .tensor import Parameter, Tensor, tensor

_operators.install()

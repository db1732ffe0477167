"""Modules: named parameters, nested modules with dotted names, and the layers.

Our modules keep no per-call state: everything a backward needs lives in the graph
nodes, so one activation object can safely serve several layers. A user's module that
does store per-call state is reported by the inspector when shared (`shared-instance`);
a module call announces the attributes it assigned so the inspector can tell.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .. import hooks as _hooks
from ..callsite import user_site
from . import ops, scope
from .function import tensor_ref
from .tensor import Parameter, Tensor

_rng = np.random.default_rng()


def seed(value: int) -> None:
    """Seed the generator that initializes layers, for reproducible runs."""
    global _rng
    _rng = np.random.default_rng(value)


class Module:
    """Base class: assign Parameters and Modules as attributes and they are registered
    under their attribute names (lists, tuples and dicts of modules too)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def _registry(self, which: str) -> dict[str, Any]:
        # A subclass that forgot super().__init__() still works.
        if which not in self.__dict__:
            object.__setattr__(self, which, {})
        return self.__dict__[which]

    def __setattr__(self, name: str, value: Any) -> None:
        params, modules = self._registry("_parameters"), self._registry("_modules")
        params.pop(name, None)
        for key in [k for k in modules if k == name or k.startswith(name + ".")]:
            del modules[key]
        if isinstance(value, Parameter):
            params[name] = value
            if value.name is None:
                value.name = name
        elif isinstance(value, Module):
            modules[name] = value
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, Module):
                    modules[f"{name}.{i}"] = item
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, Module):
                    modules[f"{name}.{key}"] = item
        object.__setattr__(self, name, value)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _hooks.active and _hooks.listeners():
            return _call_announced(self, args, kwargs)
        return self.forward(*args, **kwargs)

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """Every module below and including this one, each once, depth first."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            children = list(module._registry("_modules").items())
            for name, child in reversed(children):
                stack.append((f"{path}.{name}" if path else name, child))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) for every parameter, each once even if shared."""
        seen: set[int] = set()
        for path, module in self.named_modules(prefix):
            for name, p in module._registry("_parameters").items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{path}.{name}" if path else name), p

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def __repr__(self) -> str:
        children = self._registry("_modules")
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({name}): {repr(m).replace(chr(10), chr(10) + '  ')}" for name, m in children.items()]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"

    def extra_repr(self) -> str:
        return ""


def _child_path(module: Module) -> str:
    """The dotted path of a module about to run, from the module that calls it. A child
    registered under several names gets them in the order it is called."""
    parent = scope.current()
    if parent is None:
        return ""
    names = [n for n, m in parent.module._registry("_modules").items() if m is module]
    if not names:
        name = type(module).__name__.lower()
    else:
        k = parent.calls.get(id(module), 0)
        parent.calls[id(module)] = k + 1
        name = names[min(k, len(names) - 1)]
    return f"{parent.path}.{name}" if parent.path else name


_REGISTRIES = ("_parameters", "_modules")
_ABSENT = object()


def _call_announced(module: Module, args: tuple, kwargs: dict) -> Any:
    # The scope frame names the ops inside; the enter and exit events are built only for a
    # listener that handles them (the inspector does; nan_hunt does not).
    path = _child_path(module)
    cls = type(module).__name__
    if _hooks.wants("on_module_enter"):
        params = tuple([(n, tensor_ref(p)) for n, p in module._registry("_parameters").items()])
        _hooks.emit("on_module_enter", _hooks.ModuleEnterEvent(id(module), path, cls, params, user_site(1)))
    # The attributes before the call, by identity (a shallow copy keeps the old objects alive,
    # so an attribute rebound to a new object is always told apart from the old one).
    before = module.__dict__.copy() if _hooks.wants("on_module_exit") else None
    token = scope.push(scope.Frame(module, path))
    try:
        return module.forward(*args, **kwargs)
    finally:
        scope.pop(token)
        if before is not None:
            was = before.get  # an attribute not there before the call is new: written
            written = tuple([k for k, v in module.__dict__.items()
                             if was(k, _ABSENT) is not v and k not in _REGISTRIES])
            _hooks.emit("on_module_exit", _hooks.ModuleExitEvent(id(module), path, cls, written))


class Linear(Module):
    """y = x @ weight + bias, with weight of shape (in, out): no transpose in the graph.
    Initialized uniform in ±1/sqrt(in), as PyTorch's Linear is."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Parameter(_rng.uniform(-bound, bound, (in_features, out_features)).astype(dtype))
        self.bias = Parameter(_rng.uniform(-bound, bound, (out_features,)).astype(dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        y = ops.matmul(x, self.weight)
        return y if self.bias is None else ops.add(y, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return ops.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class Sequential(Module):
    """Modules applied in order, registered as "0", "1", ... (or by the dict's keys)."""

    def __init__(self, *modules: Module | dict[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            named = list(modules[0].items())
        else:
            named = [(str(i), m) for i, m in enumerate(modules)]
        for name, m in named:
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {name!r} is {type(m).__name__}, not a Module")
        self._order = named
        for name, m in named:
            self._registry("_modules")[name] = m

    def forward(self, x: Any) -> Any:
        for _, m in self._order:
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self._order[i][1]

    def __len__(self) -> int:
        return len(self._order)


_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh,
}


class MLP(Module):
    """Linear layers `fc1, fc2, ...` with an activation `act1, act2, ...` between them
    (none after the last): MLP([2, 16, 16, 1])."""

    def __init__(self, sizes: Iterable[int], activation: str = "relu", dtype: Any = np.float32):
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got {sizes}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; choose from {sorted(_ACTIVATIONS)}")
        self._layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
            fc = Linear(n_in, n_out, dtype=dtype)
            setattr(self, f"fc{i}", fc)
            self._layers.append(fc)
            if i < len(sizes) - 1:
                act = _ACTIVATIONS[activation]()
                setattr(self, f"act{i}", act)
                self._layers.append(act)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self._layers:
            x = layer(x)
        return x

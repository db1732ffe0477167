"""One Sigmoid object put in a dict and reused for every layer: backward used the last
layer's saved output everywhere.

A hand-written sigmoid layer keeps its output on itself (`self.out`) for its backward
pass, as many from-scratch frameworks do. The network looks its activation up by name
in a dict, so both hidden layers call the very same object: the second call overwrites
what the first saved, and backward of the first layer uses the second layer's output.
No error, no NaN: the gradients are just wrong, and training crawls. The fix gives
every layer its own activation object.

    python examples/shared_instance.py             # the bug: training crawls
    python examples/shared_instance.py --fixed
    graphscope check examples/shared_instance.py   # shared-instance at act.sigmoid
"""

import argparse

import numpy as np

import graphscope as gs


class SigmoidFunction(gs.Function):
    """sigmoid, whose backward reads the output its layer saved."""

    def __init__(self, layer: "Sigmoid"):
        self.layer = layer

    def forward(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-x))

    def backward(self, gy: np.ndarray) -> np.ndarray:
        y = self.layer.out
        return gy * y * (1 - y)


class Sigmoid(gs.nn.Module):
    """A stateful layer: keeps its last output for the backward pass."""

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        y = SigmoidFunction(self)(x)
        self.out = y.data
        return y


class SharedActivationMLP(gs.nn.Module):
    def __init__(self, sizes: list[int]):
        super().__init__()
        self.layers = [gs.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
        self.act = {"sigmoid": Sigmoid()}

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        for layer in self.layers[:-1]:
            x = self.act["sigmoid"](layer(x))  # BUG: one Sigmoid object for every layer
        return self.layers[-1](x)


class MLP(gs.nn.Module):
    def __init__(self, sizes: list[int]):
        super().__init__()
        self.layers = [gs.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
        self.acts = [Sigmoid() for _ in self.layers[:-1]]

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        for layer, act in zip(self.layers, self.acts):
            x = act(layer(x))
        return self.layers[-1](x)


def make_data(rng: np.random.Generator, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Points inside (1) or outside (0) a circle."""
    x = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    y = ((x ** 2).sum(axis=1) < 0.5).astype(np.float32).reshape(-1, 1)
    return x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=150)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    gs.seed(0)
    sizes = [2, 16, 16, 1]
    model = MLP(sizes) if args.fixed else SharedActivationMLP(sizes)
    opt = gs.optim.Adam(model.parameters(), lr=0.03)

    for step in range(args.steps):
        logits = model(x)
        loss = gs.binary_cross_entropy(gs.sigmoid(logits), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == args.steps - 1:
            accuracy = float(((logits.data > 0) == (y_np > 0.5)).mean())
            print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.2f}")


if __name__ == "__main__":
    main()

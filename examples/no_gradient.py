"""A layer handed to the optimizer never got a gradient: the graph was cut before it.

The first layer's output is clipped with numpy, on its .data, because "it is only a
clamp". But .data is a plain array: wrapping the result in a new tensor starts a new
graph, and backward() stops there. The first layer is computed, is in the optimizer,
and is never trained: the network learns only what a model on frozen random features
can. The fix clamps with the engine's own op, gs.clip, which keeps the graph.

    python examples/no_gradient.py             # the bug: fc1 never changes
    python examples/no_gradient.py --fixed
    graphscope check examples/no_gradient.py   # no-gradient at fc1.weight and fc1.bias
"""

import argparse

import numpy as np

import graphscope as gs


class Net(gs.nn.Module):
    def __init__(self, clip_in_numpy: bool):
        super().__init__()
        self.fc1 = gs.nn.Linear(2, 32)
        self.fc2 = gs.nn.Linear(32, 32)
        self.out = gs.nn.Linear(32, 3)
        self.clip_in_numpy = clip_in_numpy

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        if self.clip_in_numpy:
            h = gs.tensor(np.clip(self.fc1(x).data, -1, 1))  # BUG: a new tensor from .data: the graph ends here
        else:
            h = gs.clip(self.fc1(x), -1, 1)
        h = gs.relu(self.fc2(h))
        return self.out(h)


def spirals(rng: np.random.Generator, n_per_class: int = 60, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.1, 1, n_per_class)
        t = np.linspace(c * 2 * np.pi / classes, (c + 1.6) * 2 * np.pi / classes, n_per_class)
        t = t + rng.normal(0, 0.1, n_per_class)
        xs.append(np.stack([r * np.cos(t), r * np.sin(t)], axis=1))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=150)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = spirals(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    gs.seed(0)
    model = Net(clip_in_numpy=not args.fixed)
    first = model.fc1.weight.data.copy()
    opt = gs.optim.Adam(model.parameters(), lr=0.02)

    for step in range(args.steps):
        logits = model(x)
        loss = gs.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == args.steps - 1:
            accuracy = float((logits.data.argmax(axis=1) == y_np).mean())
            print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.2f}")
    moved = float(np.abs(model.fc1.weight.data - first).max())
    print(f"fc1.weight moved by at most {moved:.4f}")


if __name__ == "__main__":
    main()

"""The gradient stayed the same every step: the graph was built once, before the loop.

To save the forward pass, the loss graph is built once and backpropagated again at
every step (the engine asks for retain_graph=True the second time, so it was added).
But backward() reuses the values saved when the graph was built: the last layer's
gradient is its gradient at the initial weights, bit for bit, however far the weights
have moved (the first layer's mixes old activations with new weights). The loss the
script prints never changes either. The fix builds the forward pass inside the loop.

    python examples/frozen_gradient.py             # the bug: the loss is frozen
    python examples/frozen_gradient.py --fixed
    graphscope check examples/frozen_gradient.py   # frozen-gradient at fc2.weight, stale-cache
"""

import argparse

import numpy as np

import graphscope as gs


def make_data(rng: np.random.Generator, n: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(3 x0) + x1^2 with a little noise."""
    x = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    y = np.sin(3 * x[:, :1]) + x[:, 1:] ** 2 + rng.normal(0, 0.05, (n, 1))
    return x, y.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    gs.seed(0)
    model = gs.nn.MLP([2, 32, 1], activation="tanh")
    opt = gs.optim.SGD(model.parameters(), lr=0.1)

    if not args.fixed:
        loss = gs.mse_loss(model(x), y)  # BUG: the graph is built once, outside the loop, and reused
    for step in range(args.steps):
        if args.fixed:
            loss = gs.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward(retain_graph=True)
        opt.step()
        if step % 20 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    final = gs.mse_loss(model(x), y).item()
    print(f"loss of the trained model: {final:.4f}")


if __name__ == "__main__":
    main()

"""Gradients were never cleared between steps: every backward() added to the last one.

A hand-written training loop (w.data -= lr * w.grad) that forgets to clear the
gradients. backward() sums into .grad, as it must (a tensor used twice gets the sum of
both gradients), so without cleargrad() each step's update is the sum of all the
gradients so far: the steps grow, the loss oscillates and then diverges. The fix
clears the gradients before every backward().

    python examples/grad_accumulation.py             # the bug: the loss diverges
    python examples/grad_accumulation.py --fixed
    graphscope check examples/grad_accumulation.py   # grad-accumulation at w
"""

import argparse

import numpy as np

import graphscope as gs


def make_data(rng: np.random.Generator, n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """y = 5 + 2 x, with noise: the first example of every autodiff tutorial."""
    x = rng.uniform(0, 1, (n, 1))
    return x, 5 + 2 * x + rng.normal(0, 0.1, (n, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    w = gs.Parameter(np.zeros((1, 1)), name="w")
    b = gs.Parameter(np.zeros(1), name="b")
    lr = 0.1

    for step in range(args.steps):
        y_pred = x @ w + b
        loss = gs.mse_loss(y_pred, y)
        if args.fixed:
            w.cleargrad()
            b.cleargrad()
            loss.backward()
        else:
            loss.backward()  # BUG: .grad still holds every earlier step's gradient: backward adds to it
        w.data -= lr * w.grad
        b.data -= lr * b.grad
        if step % 10 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4g}  w {w.item():.3f}  b {b.item():.3f}")


if __name__ == "__main__":
    main()

"""A ReLU network collapsed to zero everywhere: every hidden unit is dead.

A regression from raw features (a year, a price in dollars, a surface in m2). The first
layer sees inputs in the thousands, its first gradient step is huge, and it pushes the
pre-activations of every hidden unit below zero for the whole data set. From then on
ReLU outputs 0 and passes back no gradient: the units cannot recover, and the network
predicts one constant. Standardizing the inputs (the fix) keeps the first layer alive.

    python examples/dead_activation.py             # the bug: the loss stops moving
    python examples/dead_activation.py --fixed
    graphscope check examples/dead_activation.py   # dead-activation at act1/relu#0
"""

import argparse

import numpy as np

import graphscope as gs


def make_data(rng: np.random.Generator, n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Price of a used car (in thousands) from its year, power (hp) and mileage (1000 km)."""
    year = rng.integers(1995, 2024, n).astype(np.float64)
    power = rng.uniform(60, 400, n)
    mileage = rng.uniform(0, 250, n)
    price = power / 10 * 0.9 ** (2024 - year) - mileage / 50 + rng.normal(0, 1, n)
    x = np.stack([year, power, mileage], axis=1).astype(np.float32)
    return x, price.astype(np.float32).reshape(-1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_raw, y_np = make_data(rng)
    x_std = (x_raw - x_raw.mean(axis=0)) / x_raw.std(axis=0)
    y = gs.tensor(y_np)
    gs.seed(0)
    model = gs.nn.MLP([3, 32, 32, 1])
    opt = gs.optim.SGD(model.parameters(), lr=2e-4, momentum=0.9)

    for step in range(args.steps):
        if args.fixed:
            pred = model(gs.tensor(x_std))
        else:
            pred = model(gs.tensor(x_raw))  # BUG: raw inputs in the thousands: one step kills every ReLU unit
        loss = gs.mse_loss(pred, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4g}")


if __name__ == "__main__":
    main()

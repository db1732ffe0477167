"""LeakyReLU went NaN: a rate that must be positive was made with LeakyReLU, and logged.

A Poisson regression (counts of events per day from two features) predicts a rate and
takes its log for the likelihood. With ReLU the rate got stuck at 0 (a dead unit: log 0
is -inf); swapping in LeakyReLU "to keep it alive" lets the rate go negative instead,
and the log of a negative number is NaN, from the very first step. The fix predicts the
log of the rate directly (exp of anything is a positive rate).

    python examples/leaky_relu_nan.py                 # the bug: the loss is NaN
    python examples/leaky_relu_nan.py --fixed
    graphscope nan-hunt examples/leaky_relu_nan.py    # stops at the log, on its line
"""

import argparse

import numpy as np

import graphscope as gs


class PoissonNet(gs.nn.Module):
    """Predicts the log of the rate of a Poisson count."""

    def __init__(self, leaky_rate: bool):
        super().__init__()
        self.hidden = gs.nn.Linear(2, 16)
        self.out = gs.nn.Linear(16, 1)
        self.leaky_rate = leaky_rate

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        h = gs.leaky_relu(self.hidden(x), 0.1)
        if self.leaky_rate:
            return gs.log(gs.leaky_relu(self.out(h), 0.1))  # BUG: LeakyReLU can be negative: its log is NaN
        return self.out(h)


def make_data(rng: np.random.Generator, n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Events per day, from the temperature and whether it is a weekend (both scaled)."""
    x = np.stack([rng.normal(0, 1, n), rng.integers(0, 2, n)], axis=1).astype(np.float32)
    rate = np.exp(0.8 + 0.5 * x[:, 0] - 0.7 * x[:, 1])
    return x, rng.poisson(rate).astype(np.float32).reshape(-1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    gs.seed(0)
    model = PoissonNet(leaky_rate=not args.fixed)
    opt = gs.optim.Adam(model.parameters(), lr=0.02)

    for step in range(args.steps):
        log_rate = model(x)
        loss = gs.mean(gs.exp(log_rate) - y * log_rate)  # Poisson negative log-likelihood
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}")


if __name__ == "__main__":
    main()

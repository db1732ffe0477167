"""y = x + x gave dx = 1: the gradient of a variable used twice was overwritten, not summed.

When one value feeds an expression twice, its gradient is the sum of what each use sends
back. graphscope's backward() sums across ops (x + x through the engine gives dx = 2);
but inside a custom op the author writes the derivative by hand, and here the custom
squared-error op `x * x` keeps only one of its two uses of x: every gradient is half
what it should be. Training still "works", just slower, so nothing looks wrong, until
gs.gradcheck compares backward() with finite differences. The fix sums both uses.

    python examples/sum_vs_overwrite.py            # the bug: gradcheck FAILED
    python examples/sum_vs_overwrite.py --fixed    # gradcheck ok
"""

import argparse

import numpy as np

import graphscope as gs


class Square(gs.Function):
    """x * x, elementwise."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x * x

    def backward(self, gy: np.ndarray) -> np.ndarray:
        x = self.inputs[0].data
        return gy * x  # BUG: x appears twice in x * x; the second use's gradient is dropped


class SquareFixed(Square):
    op = "square"

    def backward(self, gy: np.ndarray) -> np.ndarray:
        x = self.inputs[0].data
        return gy * x + gy * x  # one term per use of x, summed


def main() -> gs.GradcheckResult:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    square = SquareFixed if args.fixed else Square

    rng = np.random.default_rng(0)
    x_np = rng.normal(0, 1, (64, 3))
    y_np = x_np @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    w = gs.Parameter(np.zeros((3, 1)), name="w")
    b = gs.Parameter(np.zeros(1), name="b")
    opt = gs.optim.SGD([w, b], lr=0.1)
    for step in range(args.steps):
        loss = gs.mean(square()(x @ w + b - y))  # mean squared error
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.5f}")

    # Every custom op deserves a gradcheck before it is trusted.
    check = gs.gradcheck(lambda a: square()(a), gs.tensor(rng.normal(0, 1, 5)))
    print(check)
    return check


if __name__ == "__main__":
    result = main()

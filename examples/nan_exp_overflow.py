"""np.exp overflowed to inf, inf * 0 became NaN, and everything after it was NaN.

Logistic regression on centered but unscaled tabular features, with the sigmoid written
out by hand as 1 / (1 + exp(-z)). After the first update some logits are below -88,
where exp(-z) overflows float32 to inf: the forward pass still looks fine (1 / inf = 0),
but the backward pass of exp multiplies that inf by a zero gradient, the weights become
NaN, and so does everything after.

    python examples/nan_exp_overflow.py                 # the bug: the loss turns NaN
    python examples/nan_exp_overflow.py --fixed         # a sigmoid that cannot overflow
    graphscope nan-hunt examples/nan_exp_overflow.py    # stops at the exp, on its line
"""

import argparse

import numpy as np

import graphscope as gs


def make_data(rng: np.random.Generator, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Two classes of houses: area in m2, age in years, rooms; bigger ones sold."""
    area = rng.uniform(30, 250, n)
    age = rng.uniform(0, 80, n)
    rooms = np.round(area / 30 + rng.normal(0, 1, n))
    x = np.stack([area, age, rooms], axis=1).astype(np.float32)
    y = (area - 0.5 * age + rng.normal(0, 10, n) > 110).astype(np.float32).reshape(-1, 1)
    return x - x.mean(axis=0), y  # centered, not scaled


def predict(x: gs.Tensor, w: gs.Tensor, b: gs.Tensor, fixed: bool) -> gs.Tensor:
    z = x @ w + b
    if fixed:
        return gs.sigmoid(z)  # computed through tanh: never overflows
    return 1 / (1 + gs.exp(-z))  # BUG: exp(-z) is inf for z < -88 in float32; its gradient is inf * 0 = NaN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    w = gs.Parameter(np.zeros((3, 1), dtype=np.float32), name="w")
    b = gs.Parameter(np.zeros(1, dtype=np.float32), name="b")
    opt = gs.optim.SGD([w, b], lr=0.03)

    for step in range(args.steps):
        p = predict(x, w, b, args.fixed)
        loss = gs.binary_cross_entropy(p, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0 or step == args.steps - 1:
            accuracy = float(((p.data > 0.5) == (y_np > 0.5)).mean())
            print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.2f}")


if __name__ == "__main__":
    main()

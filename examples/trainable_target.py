"""Every tensor was made trainable, the target included, so the target was trained too.

A habit from tutorials: wrap every array as a trainable tensor "so that gradients flow".
Here one helper makes every tensor, trainable by default, and the update loop trains
every trainable tensor it made. The target was wrapped with the default: backward()
gives it a gradient and the update moves it toward the prediction (the tensor shares
the numpy array, so the data set itself drifts). The loss falls faster than it should
while the weights stay wrong. The fix passes trainable=False for the target.

    python examples/trainable_target.py             # the bug: the target drifts
    python examples/trainable_target.py --fixed
    graphscope check examples/trainable_target.py   # trainable-target at y
"""

import argparse

import numpy as np

import graphscope as gs


def make_data(rng: np.random.Generator, n: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """y = 2 x0 - 3 x1 + 1 with noise."""
    x = rng.normal(0, 1, (n, 2)).astype(np.float32)
    y = x @ np.array([[2.0], [-3.0]], dtype=np.float32) + 1 + rng.normal(0, 0.1, (n, 1)).astype(np.float32)
    return x, y


def as_tensor(a: np.ndarray, name: str, trainable: bool = True) -> gs.Tensor:
    """The script's one way to make tensors: trainable unless told otherwise, and every
    trainable one goes into PARAMS, which the update loop trains."""
    t = gs.tensor(a, trainable=trainable, name=name)
    if trainable:
        PARAMS[name] = t
    return t


PARAMS: dict[str, gs.Tensor] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    y_original = y_np.copy()
    w = as_tensor(np.zeros((2, 1), dtype=np.float32), "w")
    b = as_tensor(np.zeros(1, dtype=np.float32), "b")
    lr = 0.1

    for step in range(args.steps):
        pred = as_tensor(x_np, "x", trainable=False) @ w + b
        if args.fixed:
            loss = gs.mse_loss(pred, as_tensor(y_np, "y", trainable=False))
        else:
            loss = gs.mse_loss(pred, as_tensor(y_np, "y"))  # BUG: the target is made trainable, like everything
        loss.backward()
        for t in PARAMS.values():
            t.data -= lr * t.grad
            t.zero_grad()
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}  w {w.data.ravel().round(2)}  b {b.data.round(2)}")
    drift = float(np.abs(y_np - y_original).mean())
    print(f"the target moved by {drift:.3f} on average; the true weights are [ 2. -3.], bias 1")


if __name__ == "__main__":
    main()

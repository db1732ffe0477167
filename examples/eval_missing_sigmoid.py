"""The evaluation function forgot the sigmoid that training had.

Training applies a sigmoid to the network's output and fits probabilities. The
evaluation (and plotting) helper, written later, returns the raw output and thresholds
it at 0.5 as if it were a probability: a logit of 0.5 is a probability of 0.62, so the
reported accuracy is lower than the model's and the plotted boundary is in the wrong
place. Nothing crashes and no value is odd: only comparing the two graphs shows it,

    graphscope run examples/eval_missing_sigmoid.py -o run.gstrace
    graphscope diff run.gstrace --steps -2 -1    # training step vs evaluation: sigmoid

The last step of the run is the evaluation, the one before it the last training step.
"""

import argparse

import numpy as np

import graphscope as gs


def two_moons(rng: np.random.Generator, n: int = 200, noise: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    t = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(label[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))
    return x.astype(np.float32), label.astype(np.float32).reshape(-1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_train, y_train = two_moons(rng)
    x_test, y_test = two_moons(rng, n=100)
    gs.seed(0)
    model = gs.nn.Sequential(gs.nn.Linear(2, 16), gs.nn.Tanh(), gs.nn.Linear(16, 16), gs.nn.Tanh(),
                             gs.nn.Linear(16, 1))
    opt = gs.optim.Adam(model.parameters(), lr=0.02)

    x, y = gs.tensor(x_train), gs.tensor(y_train)
    for step in range(args.steps):
        prob = gs.sigmoid(model(x))
        loss = gs.binary_cross_entropy(prob, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    train_accuracy = float(((prob.data > 0.5) == (y_train > 0.5)).mean())
    print(f"after {args.steps} steps: loss {loss.item():.4f}, training accuracy {train_accuracy:.3f}")

    def predict_proba(points: np.ndarray) -> np.ndarray:
        with gs.no_grad():
            if args.fixed:
                return gs.sigmoid(model(gs.tensor(points))).data
            return model(gs.tensor(points)).data  # BUG: no sigmoid: these are logits, not probabilities

    proba = predict_proba(x_test)
    test_accuracy = float(((proba > 0.5) == (y_test > 0.5)).mean())
    print(f"evaluation: test accuracy {test_accuracy:.3f}, predicted probabilities from {proba.min():.3f} "
          f"to {proba.max():.3f}")

if __name__ == "__main__":
    main()

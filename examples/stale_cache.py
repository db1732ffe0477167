"""A value cached for speed was never refreshed after the parameters changed.

The model embeds its (fixed) inputs once and keeps the embedding on itself, because
"the inputs never change". But the embedding layer is being trained: after the first
update the cached embedding no longer matches the embedding layer's weights, and every
later backward() runs through the first step's graph with stale values. (The engine
refuses to backpropagate through a freed graph, so retain_graph=True was added: that
silences the error, not the bug.) The fix caches nothing that depends on parameters.

    python examples/stale_cache.py             # the bug: the features stay those of step 0
    python examples/stale_cache.py --fixed
    graphscope check examples/stale_cache.py   # stale-cache at embed/matmul#0
"""

import argparse

import numpy as np

import graphscope as gs


class Regressor(gs.nn.Module):
    """An embedding of the inputs, then a linear head."""

    def __init__(self, n_in: int, width: int, cache: bool):
        super().__init__()
        self.embed = gs.nn.Linear(n_in, width)
        self.head = gs.nn.Linear(width, 1)
        self.cache = cache
        self.features = None

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        if not self.cache:
            return self.head(gs.tanh(self.embed(x)))
        if self.features is None:
            self.features = gs.tanh(self.embed(x))  # BUG: cached once, but self.embed keeps training
        return self.head(self.features)


def make_data(rng: np.random.Generator, n: int = 128) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(0, 1, (n, 4)).astype(np.float32)
    y = np.tanh(x @ rng.normal(0, 1, (4, 1))) + 0.5 * np.tanh(x @ rng.normal(0, 1, (4, 1)))
    return x, y.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixed", action="store_true", help="run the corrected version")
    parser.add_argument("--steps", type=int, default=80)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_np, y_np = make_data(rng)
    x, y = gs.tensor(x_np), gs.tensor(y_np)
    gs.seed(0)
    model = Regressor(4, 16, cache=not args.fixed)
    opt = gs.optim.SGD(model.parameters(), lr=0.1)

    for step in range(args.steps):
        loss = gs.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward(retain_graph=True)  # without it the second step raises GraphFreedError
        opt.step()
        if step % 20 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}")


if __name__ == "__main__":
    main()

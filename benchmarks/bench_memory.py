"""Peak memory (RSS) while training the lab network: each step's graph must be freed.

Trains the lab's network (linear data, n=100, hidden (10,10), SGD) for --epochs epochs and reads
the peak resident set size from the resource module after the first 100 epochs and at the end.

    python benchmarks/bench_memory.py [--epochs 20000]
"""

import argparse
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tinygrad_lab import Tensor, data, nn, optim  # noqa: E402

LIMIT_MB = 2.0


def peak_rss_mb():
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    scale = 1 / 1024 ** 2 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20_000)
    args = parser.parse_args()
    x, y = data.generate_linear(100, rng=0)
    model = nn.MLP(rng=0)
    optimizer = optim.SGD(model.parameters(), lr=0.3)
    inputs = Tensor(x)
    after_warm_up = None
    for epoch in range(1, args.epochs + 1):
        optimizer.zero_grad()
        loss = nn.binary_cross_entropy(model(inputs), y)
        loss.backward()
        optimizer.step()
        if epoch == 100:
            after_warm_up = peak_rss_mb()
    final = peak_rss_mb()
    growth = final - after_warm_up
    print(f"peak RSS after 100 epochs: {after_warm_up:.1f} MB; after {args.epochs} epochs: "
          f"{final:.1f} MB; growth {growth:.2f} MB (limit {LIMIT_MB} MB): "
          f"{'ok' if growth <= LIMIT_MB else 'TOO MUCH'}")
    return 0 if growth <= LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())

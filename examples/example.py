"""A small NumPy program with memory antipatterns, for trying memlint."""

import numpy as np


def simulate(steps: int):
    grid = np.full((2000, 2000), 0.0)  # 30.5 MiB, every page written at once
    for step in range(steps):
        grid[step % 2000, :] += 1.0
    return grid.sum()


if __name__ == "__main__":
    print(simulate(10))

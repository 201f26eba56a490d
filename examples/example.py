"""A small NumPy program with the memory antipatterns memlint finds. Try: memlint examples/"""

import numpy as np


class Particle:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def make_particles(n):
    return [Particle(float(i), float(i) * 2.0) for i in range(n)]


def normalise():
    signal = np.ones((2000, 2000))  # 30.5 MiB
    signal = signal * 2.0  # a second 30.5 MiB array while the first is alive
    signal = np.sqrt(signal)  # and another
    return float(signal.mean())


def head_of_large():
    data = np.arange(10_000_000, dtype=np.float64)  # 76.3 MiB
    return data[:10]  # the 10-element view keeps all 76.3 MiB alive


def simulate(steps):
    grid = np.full((2000, 2000), 0.0)  # every page written at once
    for step in range(steps):
        grid[step % 2000, :] += 1.0
    return float(grid.sum())


def collect(n):
    values = np.array([])
    for i in range(n):
        values = np.append(values, i * 0.5)  # copies the whole array every iteration
    return values


if __name__ == "__main__":
    print(len(make_particles(100_000)), normalise(), head_of_large().sum(), simulate(10), collect(1000).sum())

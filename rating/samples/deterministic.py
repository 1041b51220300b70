"""Small deterministic helpers: pseudo-random numbers hashed from integers (stable across
runs and platforms) and apportioning a whole number."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def mix(*parts: int) -> int:
    """SplitMix64 over the parts: a well-spread 64-bit integer, stable across runs and platforms."""
    state = 0x9E3779B97F4A7C15
    for part in parts:
        state = (state ^ (part & 0xFFFFFFFFFFFFFFFF)) & 0xFFFFFFFFFFFFFFFF
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        state = z ^ (z >> 31)
    return state


def uniform(*parts: int) -> float:
    """A uniform number in [0, 1) from the parts."""
    return (mix(*parts) >> 11) / (1 << 53)


def uniform_column(column: str, seed: int) -> pl.Expr:
    """A vectorised uniform number in [0, 1) hashed from `column` (stable per Polars version)."""
    return (pl.col(column).hash(seed=seed & 0x7FFFFFFFFFFFFFFF) % (1 << 24)).cast(
        pl.Float64) / (1 << 24)


def apportion(total: int, weights: Sequence[int], minimum: int) -> list[int]:
    """Split `total` into integers in proportion to `weights`, each at least `minimum`."""
    shares = [minimum] * len(weights)
    left = total - minimum * len(weights)
    weight_sum = sum(weights)
    if left <= 0 or weight_sum <= 0:
        return shares
    exact = [left * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[: left - sum(floors)]:
        floors[i] += 1
    return [s + f for s, f in zip(shares, floors, strict=True)]

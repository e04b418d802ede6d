"""``ferry bench``: throughput and memory against the raw aiortc ceiling (see README.md)."""

if __name__ != "ferry.benchmarks":  # this folder imported by its own name, from a checkout
    raise ImportError(
        "import ferry.benchmarks, not benchmarks: the folder is part of the ferry package"
    )

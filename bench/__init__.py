"""Benchmarks: each prints its figures and a baseline measured in the same run; none asserts."""

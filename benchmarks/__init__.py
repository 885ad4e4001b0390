"""Benchmarks: the fixed suites, the baseline comparison, feeds under load, start-up; every
figure in the README comes from one of their commands."""

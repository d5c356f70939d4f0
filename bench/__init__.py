"""Benchmarks of the product on one machine: see bench/README.md."""

"""The parts of `generate.py`, in the order they build on each other."""

"""Tests of stage 6a: positions, the engine, walk-forward."""

"""Tests of stage 6b: metrics, signal evaluation, significance statistics, the trial ledger."""

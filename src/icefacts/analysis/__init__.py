"""Analyses: SQL handed to an Engine, results as Arrow tables with their caveats."""

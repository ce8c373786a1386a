"""Floe's trusted dispatcher: sends a checked plan to Polars Cloud or Polars On-Prem."""

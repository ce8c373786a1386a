"""The `floe` command line: Polars SQL queries and scripts on a Floe server."""

__version__ = "0.1.0"

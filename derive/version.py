"""The version of derive (read by the build backend and printed by `derive --version`)."""

__version__ = "0.1.0"

"""micromoments pipeline: Faust app, agents, broker management and the CLI."""

__version__ = "0.1.0"

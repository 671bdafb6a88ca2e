"""chathpc: build, verify by execution, and use AI assistants that parallelize C into MPI."""

__version__ = "0.1.0"

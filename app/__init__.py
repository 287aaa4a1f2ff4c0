"""CG Studio application package: document model, commands, canvas, evaluation and file I/O."""

__version__ = "0.2.0"

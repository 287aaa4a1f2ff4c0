"""CG Studio application package: document model, commands, canvas, evaluation and file I/O."""

"""Teaching aids built on the document and the evaluator (no Qt in this package)."""

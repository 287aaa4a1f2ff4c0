"""``cgengine.nn``: the functional interface (``cgengine.nn.functional``)."""

from cgengine.nn import functional

__all__ = ["functional"]

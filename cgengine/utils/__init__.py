"""``cgengine.utils``: helpers around the engine, laid out as ``torch.utils``."""

from cgengine.utils import data

__all__ = ["data"]

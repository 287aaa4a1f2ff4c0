"""``cgengine.nn``: layers, losses and their functional forms, laid out as ``torch.nn``.

- :mod:`cgengine.nn.modules`: ``Module`` (the base of every model) and the layers built on it;
- :mod:`cgengine.nn.parameter`: ``Parameter``, the tensors a Module learns;
- :mod:`cgengine.nn.functional`: the same computations as plain functions (``F.relu``);
- :mod:`cgengine.nn.init`: weight initialisation (xavier, kaiming ...).
"""

from cgengine.nn import functional, init
from cgengine.nn.modules import *  # noqa: F403 - torch.nn exports every layer
from cgengine.nn.modules import __all__ as _modules_all
from cgengine.nn.parameter import Parameter

__all__ = ["Parameter", "functional", "init", *_modules_all]

"""``cgengine.optim``: optimisers that update parameters from their gradients (``torch.optim``).

Every optimiser updates parameters in place, outside the graph, from their ``.grad``; the
arithmetic follows torch's CPU kernels, so a run matches torch's to float32 rounding.
"""

from cgengine.optim import lr_scheduler
from cgengine.optim.adam import Adam, AdamW
from cgengine.optim.optimizer import Optimizer
from cgengine.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]

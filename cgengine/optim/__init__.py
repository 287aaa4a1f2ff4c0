"""``cgengine.optim``: optimisers that update parameters from their gradients (``torch.optim``)."""

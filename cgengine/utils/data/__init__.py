"""``cgengine.utils.data``: datasets and the DataLoader that batches them (torch.utils.data)."""

"""Synthetic data: the deterministic sample reports and the registry builder (not used by a run)."""

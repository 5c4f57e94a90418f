"""Preservation guarantees from insurers (诉讼财产保全担保)."""

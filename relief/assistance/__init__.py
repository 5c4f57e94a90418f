"""assistance feature."""

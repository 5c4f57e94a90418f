"""insurers feature."""

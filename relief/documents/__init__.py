"""Issued documents: the PDFs the court files, kept with their hash and public check page."""

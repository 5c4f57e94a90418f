"""Shared, framework-light building blocks: money, identities, deadlines, audit, PDFs."""

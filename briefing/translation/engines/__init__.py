"""Machine translation engines the translation stage can run."""

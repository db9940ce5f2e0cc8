"""The output stage: localized view, template rendering, document model, Word, PDF."""

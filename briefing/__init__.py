"""Policy briefings on diplomatic events, from structured facts to Word documents."""

__version__ = "0.1.0"

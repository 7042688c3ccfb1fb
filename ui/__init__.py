"""Widgets: thin classes over Designer ``.ui`` files; logic lives in ``core/`` and ``tasks/``."""

"""The plugin's Processing provider: the same worker commands as the dock, for models and scripts."""

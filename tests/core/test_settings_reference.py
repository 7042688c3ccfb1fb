"""docs/settings.md lists every declared setting as scripts/settings_reference.py writes it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("settings_reference", ROOT / "scripts" / "settings_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_settings_page_is_up_to_date():
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert _script().render(page) == page, "run: python scripts/settings_reference.py docs/settings.md"


def test_every_declared_setting_is_on_the_page():
    from segmentation_trainer.core.common.config import (
        AssessConfig,
        CompareConfig,
        ExportConfig,
        PredictConfig,
        SampleConfig,
        TrainConfig,
    )
    from segmentation_trainer.core.common.schema import settings_of

    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for cls in (TrainConfig, PredictConfig, CompareConfig, ExportConfig, SampleConfig, AssessConfig):
        for s in settings_of(cls).values():
            assert f"| `{s.name}` | {s.label} | `{s.cli_flag}` |" in page

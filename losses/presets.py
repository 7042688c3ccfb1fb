"""The seven CE:Dice:Focal weight configurations of Swastika (2025), "Comparative analysis of loss
functions for semantic segmentation: an empirical study on Cityscapes dataset" (standard library only)."""

from ..core.common.i18n import QT_TRANSLATE_NOOP

LOSS_PRESETS: dict[str, dict[str, float]] = {
    "equal": {"ce_weight": 1.0, "dice_weight": 1.0, "focal_weight": 1.0},
    "ce_dominant": {"ce_weight": 1.0, "dice_weight": 0.5, "focal_weight": 0.5},
    "dice_dominant": {"ce_weight": 0.5, "dice_weight": 1.0, "focal_weight": 0.5},
    "focal_dominant": {"ce_weight": 0.5, "dice_weight": 0.5, "focal_weight": 1.0},
    "ce_only": {"ce_weight": 1.0, "dice_weight": 0.0, "focal_weight": 0.0},
    "dice_only": {"ce_weight": 0.0, "dice_weight": 1.0, "focal_weight": 0.0},
    "focal_only": {"ce_weight": 0.0, "dice_weight": 0.0, "focal_weight": 1.0},
}
"""Swastika (2025)'s seven CE:Dice:Focal weight configurations (Table II of the study)."""
DEFAULT_PRESET = "dice_dominant"
PRESET_LABELS: dict[str, str] = {
    "equal": QT_TRANSLATE_NOOP("losses", "Equal weights"),
    "ce_dominant": QT_TRANSLATE_NOOP("losses", "Cross-entropy dominant"),
    "dice_dominant": QT_TRANSLATE_NOOP("losses", "Dice dominant"),
    "focal_dominant": QT_TRANSLATE_NOOP("losses", "Focal dominant"),
    "ce_only": QT_TRANSLATE_NOOP("losses", "Cross-entropy only"),
    "dice_only": QT_TRANSLATE_NOOP("losses", "Dice only"),
    "focal_only": QT_TRANSLATE_NOOP("losses", "Focal only"),
}
"""What the dock's preset list shows (the names stay the identifiers of ``build_loss`` and the comparison)."""

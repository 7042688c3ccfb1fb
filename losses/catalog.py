"""What losses exist, per mode, with descriptions, scenarios, citations and parameters: standard library only.

The dock builds its loss dropdown, tooltips and parameter widgets from ``available_losses``
without importing torch; ``build_loss`` (``registry``) builds the torch module from the same entries
and refuses parameter values outside the ranges given here. Every loss exists in both modes;
``convert_loss_name`` maps a loss to its counterpart.

The ranges are part of the losses' guarantees: for every value within them the perfect prediction
is the loss's minimum and no class gets a zero weight (``tests/losses/test_dock_ranges.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ..core.common.i18n import QT_TRANSLATE_NOOP
from .presets import DEFAULT_PRESET, LOSS_PRESETS
from .references import citation

MODES = ("binary", "multiclass")
IGNORE_INDEX = 255
"""Label value of unlabelled pixels (outside every polygon, nodata): they take no part in the loss."""


@dataclass(frozen=True)
class ParamSpec:
    """A loss parameter: its default and the range the dock allows (``kind``: float, int or bool).

    ``name`` is the identifier (``build_loss``, ``run.json``); ``label`` and ``description`` (the help
    text) are what users read, marked for translation in context ``losses``.
    """

    name: str
    label: str
    default: float | int | bool
    minimum: float = 0.0
    maximum: float = 1.0
    description: str = ""
    kind: str = "float"

    @property
    def decimals(self) -> int:
        """The decimals of the dock's spin box for a float: 6 for a default below 0.01, else 3 (its finest step)."""
        return 6 if 0 < abs(self.default) < 0.01 else 3

    def check(self, value: object, loss: str) -> None:
        """Raise a ValueError naming the range when ``value`` is not one the dock allows."""
        if self.kind == "bool":
            if value not in (True, False):  # also accepts 0 and 1
                raise ValueError(f"Parameter {self.name} of loss {loss!r} takes true or false, got {value!r}.")
            return
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind == "int" and numeric and value != int(value):
            numeric = False
        if not numeric or not self.minimum <= value <= self.maximum:
            raise ValueError(
                f"Parameter {self.name} of loss {loss!r} must be a{'n integer' if self.kind == 'int' else ' number'} "
                f"in [{self.minimum:g}, {self.maximum:g}], got {value!r}."
            )


@dataclass(frozen=True)
class LossSpec:
    name: str
    mode: str
    family: str  # the implementation (registry key), shared by both modes
    label: str  # the name users read (the dock's loss list), shared by both modes
    description: str
    scenario: str  # when to choose it (the SemanticSeg4EO "choosing a loss" table, extended)
    reference: str  # full human citation(s): authors (year), title, venue
    params: tuple[ParamSpec, ...] = ()
    counterpart: str = ""  # the equivalent loss of the other mode
    reference_keys: tuple[str, ...] = field(default=())  # section anchors of docs/references.md

    def defaults(self) -> dict[str, float | int | bool]:
        return {p.name: p.default for p in self.params}


# Every text below that users read is wrapped in QT_TRANSLATE_NOOP("losses", ...), the context written
# out (not LOSSES) so that pylupdate5 collects it; the dock shows QCoreApplication.translate(LOSSES, text).


def _p(name: str, label: str, default, minimum=0.0, maximum=1.0, description="", kind="float") -> ParamSpec:
    return ParamSpec(name, label, default, minimum, maximum, description, kind)


SMOOTH = _p(
    "smooth",
    QT_TRANSLATE_NOOP("losses", "Smoothing term"),
    1e-5,
    0.0,
    10.0,
    QT_TRANSLATE_NOOP("losses", "Added to numerator and denominator of the overlap ratio."),
)
PER_IMAGE = _p(
    "per_image",
    QT_TRANSLATE_NOOP("losses", "Score per image"),
    False,
    0,
    1,
    QT_TRANSLATE_NOOP("losses", "Score each image separately instead of the whole batch."),
    "bool",
)
REGION = (SMOOTH, PER_IMAGE)
FOCAL_GAMMA = _p(
    "gamma",
    QT_TRANSLATE_NOOP("losses", "Focusing parameter γ"),
    2.0,
    0.0,
    5.0,
    QT_TRANSLATE_NOOP("losses", "Focusing exponent: higher puts more weight on hard pixels; 0 gives CE."),
)


def focal_alpha(default: float, binary: bool, name: str = "alpha") -> ParamSpec:
    """Focal alpha: in binary mode the foreground weight (background 1 - alpha, Lin et al.), kept inside
    (0, 1) so that neither class gets weight 0; in multiclass mode a scale of the whole term, kept > 0."""
    if binary:
        return _p(
            name,
            QT_TRANSLATE_NOOP("losses", "Focal α (foreground weight)"),
            default,
            0.01,
            0.99,
            QT_TRANSLATE_NOOP(
                "losses", "Weight of foreground pixels; background pixels get 1 - alpha (0.5 weighs both alike)."
            ),
        )
    return _p(
        name,
        QT_TRANSLATE_NOOP("losses", "Focal α (scale)"),
        default,
        0.01,
        1.0,
        QT_TRANSLATE_NOOP("losses", "Scales the whole focal term, every class alike (1: unscaled)."),
    )


TVERSKY_ALPHA_LABEL = QT_TRANSLATE_NOOP("losses", "Tversky α (false-positive weight)")
TVERSKY_BETA_LABEL = QT_TRANSLATE_NOOP("losses", "Tversky β (false-negative weight)")
TVERSKY_ALPHA = _p(
    "alpha",
    TVERSKY_ALPHA_LABEL,
    0.3,
    0.01,
    1.0,
    QT_TRANSLATE_NOOP("losses", "Weight of false positives: lower tolerates more of them (higher recall)."),
)
TVERSKY_BETA = _p(
    "beta",
    TVERSKY_BETA_LABEL,
    0.7,
    0.01,
    1.0,
    QT_TRANSLATE_NOOP("losses", "Weight of false negatives: higher penalises missed pixels (higher recall)."),
)
UNIFIED_FOCAL = (
    _p(
        "weight",
        QT_TRANSLATE_NOOP("losses", "Focal Tversky weight λ"),
        0.5,
        0.0,
        1.0,
        QT_TRANSLATE_NOOP("losses", "lambda: weight of the focal Tversky term."),
    ),
    _p(
        "delta",
        QT_TRANSLATE_NOOP("losses", "Rare-class weight δ"),
        0.6,
        0.01,
        0.99,
        QT_TRANSLATE_NOOP("losses", "Weight of rare classes vs background, and of FN vs FP."),
    ),
    _p(
        "gamma",
        QT_TRANSLATE_NOOP("losses", "Focal parameter γ"),
        0.5,
        0.0,
        0.9,
        QT_TRANSLATE_NOOP("losses", "Focal parameter (the rare classes' Tversky term is raised to 1 - gamma)."),
    ),
    *REGION,
)


def _ce_weight(default: float, maximum: float = 10.0) -> ParamSpec:
    text = QT_TRANSLATE_NOOP("losses", "Weight of the cross-entropy term.")
    return _p("ce_weight", QT_TRANSLATE_NOOP("losses", "Cross-entropy weight"), default, 0.0, maximum, text)


def _dice_weight(default: float, maximum: float = 10.0) -> ParamSpec:
    text = QT_TRANSLATE_NOOP("losses", "Weight of the Dice term.")
    return _p("dice_weight", QT_TRANSLATE_NOOP("losses", "Dice weight"), default, 0.0, maximum, text)


def _focal_weight(default: float) -> ParamSpec:
    text = QT_TRANSLATE_NOOP("losses", "Weight of the Focal term.")
    return _p("focal_weight", QT_TRANSLATE_NOOP("losses", "Focal weight"), default, 0.0, 10.0, text)


def _weights(ce: float, dice: float, focal: float | None = None) -> tuple[ParamSpec, ...]:
    return (_ce_weight(ce), _dice_weight(dice)) + (() if focal is None else (_focal_weight(focal),))


DUAL_FOCAL_ALPHA = QT_TRANSLATE_NOOP(
    "losses", "Weight of the |g - p|^gamma term, as a share of its safe maximum min(1, beta/rho)."
)
TAGHANAKI_BETA = QT_TRANSLATE_NOOP("losses", "Weight of false negatives in the cross-entropy term (FP: 1 - beta).")
FALSE_NEGATIVE_BETA = QT_TRANSLATE_NOOP("losses", "False-negative weight β")


class _Family(NamedTuple):
    """One loss in both modes: ``binary_params`` replaces the same-named multiclass parameters."""

    multiclass: str
    binary: str
    family: str
    label: str
    description: str
    scenario: str
    keys: tuple[str, ...]
    params: tuple[ParamSpec, ...] = ()
    binary_params: Mapping[str, ParamSpec] = {}


_STUDY_WEIGHTS = _weights(*(LOSS_PRESETS[DEFAULT_PRESET][k] for k in ("ce_weight", "dice_weight", "focal_weight")))

_FAMILIES = (
    _Family(
        "dice_ce",
        "binary_dice_bce",
        "weighted_terms",
        QT_TRANSLATE_NOOP("losses", "Dice + cross-entropy"),
        QT_TRANSLATE_NOOP(
            "losses", "Recommended default. Dice + cross-entropy, 50/50: region overlap and pixel accuracy."
        ),
        QT_TRANSLATE_NOOP("losses", "Balanced data; a robust default"),
        ("milletari2016", "long2015"),
        _weights(0.5, 0.5),
        {
            "ce_weight": _p(
                "bce_weight",
                QT_TRANSLATE_NOOP("losses", "Binary cross-entropy weight"),
                0.5,
                0.0,
                10.0,
                QT_TRANSLATE_NOOP("losses", "Weight of the binary cross-entropy term."),
            )
        },
    ),
    _Family(
        "ce",
        "bce",
        "cross_entropy",
        QT_TRANSLATE_NOOP("losses", "Cross-entropy"),
        QT_TRANSLATE_NOOP("losses", "Standard cross-entropy. Simple and fast; works well for balanced classes."),
        QT_TRANSLATE_NOOP("losses", "Balanced classes, simple baseline"),
        ("long2015",),
    ),
    _Family(
        "dice",
        "binary_dice",
        "dice",
        QT_TRANSLATE_NOOP("losses", "Dice"),
        QT_TRANSLATE_NOOP(
            "losses", "Soft Dice loss: optimises region overlap; insensitive to class imbalance, can be unstable alone."
        ),
        QT_TRANSLATE_NOOP("losses", "Imbalanced classes, overlap matters most"),
        ("milletari2016",),
        REGION,
    ),
    _Family(
        "focal",
        "binary_focal",
        "focal",
        QT_TRANSLATE_NOOP("losses", "Focal"),
        QT_TRANSLATE_NOOP(
            "losses", "Focal loss: down-weights easy pixels and focuses on hard ones near class boundaries."
        ),
        QT_TRANSLATE_NOOP("losses", "Many easy background pixels, hard examples matter"),
        ("lin2017",),
        (FOCAL_GAMMA, focal_alpha(0.25, binary=False)),
        {"alpha": focal_alpha(0.25, binary=True)},
    ),
    _Family(
        "focal_dice",
        "binary_focal_dice",
        "weighted_terms",
        QT_TRANSLATE_NOOP("losses", "Focal + Dice"),
        QT_TRANSLATE_NOOP("losses", "Focal + Dice, 50/50: hard pixels and region overlap."),
        QT_TRANSLATE_NOOP("losses", "Imbalanced data, rare foreground or rare classes"),
        ("lin2017", "milletari2016"),
        (_focal_weight(0.5), _dice_weight(0.5), FOCAL_GAMMA, focal_alpha(1.0, binary=False)),
        {"alpha": focal_alpha(0.25, binary=True)},
    ),
    _Family(
        "tversky",
        "binary_tversky",
        "tversky",
        QT_TRANSLATE_NOOP("losses", "Tversky"),
        QT_TRANSLATE_NOOP(
            "losses", "Tversky loss: Dice with separate weights for false positives (alpha) and false negatives (beta)."
        ),
        QT_TRANSLATE_NOOP("losses", "High recall (alpha < beta) or high precision (alpha > beta)"),
        ("salehi2017",),
        (TVERSKY_ALPHA, TVERSKY_BETA, *REGION),
    ),
    _Family(
        "focal_tversky",
        "binary_focal_tversky",
        "tversky",
        QT_TRANSLATE_NOOP("losses", "Focal Tversky"),
        QT_TRANSLATE_NOOP(
            "losses", "Focal Tversky loss: (1 - Tversky)^(1/gamma), emphasises poorly segmented, small objects."
        ),
        QT_TRANSLATE_NOOP("losses", "Very imbalanced data where recall is critical"),
        ("abraham2019",),
        (
            TVERSKY_ALPHA,
            TVERSKY_BETA,
            _p(
                "gamma",
                QT_TRANSLATE_NOOP("losses", "Focal Tversky γ"),
                4.0 / 3.0,
                1.0,
                3.0,
                QT_TRANSLATE_NOOP("losses", "Focal Tversky gamma: the exponent is 1/gamma."),
            ),
            *REGION,
        ),
    ),
    _Family(
        "focal_plus_tversky",
        "binary_focal_plus_tversky",
        "focal_plus_tversky",
        QT_TRANSLATE_NOOP("losses", "Focal + Tversky"),
        QT_TRANSLATE_NOOP(
            "losses", "Focal + Tversky combination, 50/50: the focal loss plus the Tversky loss (a weighted sum)."
        ),
        QT_TRANSLATE_NOOP("losses", "Very imbalanced data where recall is critical, with pixel-level focusing"),
        ("lin2017", "salehi2017", "semanticseg4eo"),
        (
            _focal_weight(0.5),
            _p(
                "tversky_weight",
                QT_TRANSLATE_NOOP("losses", "Tversky weight"),
                0.5,
                0.0,
                10.0,
                QT_TRANSLATE_NOOP("losses", "Weight of the Tversky term."),
            ),
            _p(
                "focal_gamma",
                QT_TRANSLATE_NOOP("losses", "Focusing parameter γ"),
                2.0,
                0.0,
                5.0,
                QT_TRANSLATE_NOOP("losses", "Focal focusing exponent (0 gives CE)."),
            ),
            focal_alpha(1.0, binary=False, name="focal_alpha"),
            _p(
                "tversky_alpha",
                TVERSKY_ALPHA_LABEL,
                0.3,
                0.01,
                1.0,
                QT_TRANSLATE_NOOP("losses", "Tversky weight of false positives."),
            ),
            _p(
                "tversky_beta",
                TVERSKY_BETA_LABEL,
                0.7,
                0.01,
                1.0,
                QT_TRANSLATE_NOOP("losses", "Tversky weight of false negatives."),
            ),
            *REGION,
        ),
        {"focal_alpha": focal_alpha(0.25, binary=True, name="focal_alpha")},
    ),
    _Family(
        "combo",
        "binary_combo",
        "weighted_terms",
        QT_TRANSLATE_NOOP("losses", "Cross-entropy + Dice + Focal"),
        QT_TRANSLATE_NOOP(
            "losses", "Weighted CE + Dice + Focal (Swastika 2025 study); its seven weightings are presets."
        ),
        QT_TRANSLATE_NOOP("losses", "Multi-class land cover; tune weights with the loss comparison"),
        ("swastika2025", "lin2017", "milletari2016"),
        (*_STUDY_WEIGHTS, FOCAL_GAMMA, focal_alpha(1.0, binary=False)),
        {"alpha": focal_alpha(0.5, binary=True)},
    ),
    _Family(
        "dual_focal",
        "binary_dual_focal",
        "dual_focal",
        QT_TRANSLATE_NOOP("losses", "Dual Focal"),
        QT_TRANSLATE_NOOP(
            "losses", "Dual Focal loss: rewards true classes, penalises false ones; learnable γ, adaptive weights."
        ),
        QT_TRANSLATE_NOOP("losses", "Class imbalance, faster convergence than cross-entropy"),
        ("hossain2021",),
        (
            _p("alpha", QT_TRANSLATE_NOOP("losses", "Weight α of the |g - p|^γ term"), 1.0, 0.0, 1.0, DUAL_FOCAL_ALPHA),
            _p(
                "beta",
                QT_TRANSLATE_NOOP("losses", "False-class weight β"),
                1.0,
                0.0,
                5.0,
                QT_TRANSLATE_NOOP("losses", "Weight of the false-class term."),
            ),
            _p(
                "gamma",
                QT_TRANSLATE_NOOP("losses", "Scaling exponent γ"),
                1.0,
                1.0,
                5.0,
                QT_TRANSLATE_NOOP("losses", "Scaling exponent (>= 1 keeps the perfect prediction the minimum)."),
            ),
            _p(
                "rho",
                QT_TRANSLATE_NOOP("losses", "Offset ρ"),
                1.0,
                1.0,
                2.0,
                QT_TRANSLATE_NOOP("losses", "Offset in log(rho - p)."),
            ),
            _p(
                "learnable_gamma",
                QT_TRANSLATE_NOOP("losses", "Learn γ"),
                False,
                0,
                1,
                QT_TRANSLATE_NOOP("losses", "Optimise gamma (in (1, 5)) with the network."),
                "bool",
            ),
            _p(
                "adaptive_weights",
                QT_TRANSLATE_NOOP("losses", "Adaptive class weights"),
                False,
                0,
                1,
                QT_TRANSLATE_NOOP("losses", "Weight classes by inverse frequency in each batch."),
                "bool",
            ),
        ),
    ),
    _Family(
        "topk_ce",
        "binary_topk_bce",
        "topk_ce",
        QT_TRANSLATE_NOOP("losses", "Top-k cross-entropy"),
        QT_TRANSLATE_NOOP("losses", "TopK cross-entropy: averages only the k % hardest pixels."),
        QT_TRANSLATE_NOOP("losses", "Noisy easy background, learning from hard pixels"),
        ("wu2016",),
        (
            _p(
                "k_percent",
                QT_TRANSLATE_NOOP("losses", "Hardest pixels kept k (%)"),
                10.0,
                1.0,
                100.0,
                QT_TRANSLATE_NOOP("losses", "Share of hardest pixels kept, in percent."),
            ),
        ),
    ),
    _Family(
        "distance_ce",
        "binary_distance_bce",
        "distance_ce",
        QT_TRANSLATE_NOOP("losses", "Distance-map cross-entropy"),
        QT_TRANSLATE_NOOP("losses", "Cross-entropy weighted up near class boundaries (distance map penalty)."),
        QT_TRANSLATE_NOOP("losses", "Sharp boundaries between classes"),
        ("caliva2019",),
        (
            _p(
                "boundary_weight",
                QT_TRANSLATE_NOOP("losses", "Boundary weight"),
                1.0,
                0.0,
                20.0,
                QT_TRANSLATE_NOOP("losses", "Extra weight of boundary pixels (1 + weight)."),
            ),
        ),
    ),
    _Family(
        "jaccard",
        "binary_jaccard",
        "jaccard",
        QT_TRANSLATE_NOOP("losses", "Jaccard (IoU)"),
        QT_TRANSLATE_NOOP("losses", "Soft Jaccard (IoU) loss: optimises the IoU directly."),
        QT_TRANSLATE_NOOP("losses", "When IoU is the target metric"),
        ("rahman2016",),
        REGION,
    ),
    _Family(
        "lovasz_softmax",
        "lovasz_hinge",
        "lovasz",
        QT_TRANSLATE_NOOP("losses", "Lovász"),
        QT_TRANSLATE_NOOP(
            "losses", "Lovász loss: a convex surrogate of the IoU (softmax form / hinge form in binary mode)."
        ),
        QT_TRANSLATE_NOOP("losses", "Fine-tuning for IoU"),
        ("berman2018",),
        (PER_IMAGE,),
    ),
    _Family(
        "log_cosh_dice",
        "binary_log_cosh_dice",
        "log_cosh_dice",
        QT_TRANSLATE_NOOP("losses", "Log-cosh Dice"),
        QT_TRANSLATE_NOOP("losses", "Log-cosh Dice: a smoothed Dice loss."),
        QT_TRANSLATE_NOOP("losses", "Dice's goal with smoother optimisation"),
        ("jadon2020",),
        REGION,
    ),
    _Family(
        "generalized_dice",
        "binary_generalized_dice",
        "generalized_dice",
        QT_TRANSLATE_NOOP("losses", "Generalized Dice"),
        QT_TRANSLATE_NOOP("losses", "Generalized Dice: classes weighted by 1 / (pixel count)^2."),
        QT_TRANSLATE_NOOP("losses", "Highly imbalanced class sizes"),
        ("sudre2017",),
        REGION,
    ),
    _Family(
        "sensitivity_specificity",
        "binary_sensitivity_specificity",
        "sensitivity_specificity",
        QT_TRANSLATE_NOOP("losses", "Sensitivity-specificity"),
        QT_TRANSLATE_NOOP(
            "losses", "Sensitivity-specificity loss: squared errors inside and outside each class, weighted by r."
        ),
        QT_TRANSLATE_NOOP("losses", "Tiny objects where sensitivity must be traded explicitly"),
        ("brosch2015",),
        (
            _p(
                "r",
                QT_TRANSLATE_NOOP("losses", "Sensitivity weight r"),
                0.05,
                0.01,
                0.99,
                QT_TRANSLATE_NOOP("losses", "Weight of the sensitivity term (1 - r: specificity)."),
            ),
            PER_IMAGE,
        ),
    ),
    _Family(
        "exp_log",
        "binary_exp_log",
        "exp_log",
        QT_TRANSLATE_NOOP("losses", "Exponential logarithmic"),
        QT_TRANSLATE_NOOP("losses", "Exponential logarithmic loss: (-ln Dice)^gamma and (-ln p)^gamma terms."),
        QT_TRANSLATE_NOOP("losses", "Small structures of very different sizes"),
        ("wong2018",),
        (
            _p(
                "gamma",
                QT_TRANSLATE_NOOP("losses", "Exponent γ"),
                0.3,
                0.05,
                1.0,
                QT_TRANSLATE_NOOP("losses", "Exponent of both terms."),
            ),
            _dice_weight(0.8, maximum=1.0),
            _ce_weight(0.2, maximum=1.0),
            PER_IMAGE,
        ),
    ),
    _Family(
        "taghanaki_combo",
        "binary_taghanaki_combo",
        "taghanaki_combo",
        QT_TRANSLATE_NOOP("losses", "Combo (Taghanaki)"),
        QT_TRANSLATE_NOOP("losses", "Combo loss: beta-weighted cross-entropy + Dice, alpha balancing the two."),
        QT_TRANSLATE_NOOP("losses", "Imbalanced data, control of FP/FN in the CE term"),
        ("taghanaki2019",),
        (
            _p(
                "alpha",
                QT_TRANSLATE_NOOP("losses", "Cross-entropy weight α"),
                0.5,
                0.0,
                1.0,
                QT_TRANSLATE_NOOP("losses", "Weight of the cross-entropy term."),
            ),
            _p("beta", FALSE_NEGATIVE_BETA, 0.5, 0.0, 1.0, TAGHANAKI_BETA),
        ),
        {"beta": _p("beta", FALSE_NEGATIVE_BETA, 0.5, 0.01, 0.99, TAGHANAKI_BETA)},
    ),
    _Family(
        "unified_focal",
        "binary_unified_focal",
        "unified_focal",
        QT_TRANSLATE_NOOP("losses", "Asymmetric Unified Focal"),
        QT_TRANSLATE_NOOP(
            "losses", "Asymmetric Unified Focal loss: focal + focal Tversky, rare classes never suppressed."
        ),
        QT_TRANSLATE_NOOP("losses", "Severe imbalance (rare foreground or classes)"),
        ("yeung2022",),
        UNIFIED_FOCAL,
    ),
    _Family(
        "symmetric_unified_focal",
        "binary_symmetric_unified_focal",
        "symmetric_unified_focal",
        QT_TRANSLATE_NOOP("losses", "Symmetric Unified Focal"),
        QT_TRANSLATE_NOOP(
            "losses", "Symmetric Unified Focal loss: focal + focal Tversky applied alike to every class."
        ),
        QT_TRANSLATE_NOOP("losses", "Imbalance where background errors matter too"),
        ("yeung2022",),
        UNIFIED_FOCAL,
    ),
    _Family(
        "boundary",
        "binary_boundary",
        "boundary",
        QT_TRANSLATE_NOOP("losses", "Boundary"),
        QT_TRANSLATE_NOOP("losses", "Boundary loss: Dice + distance-to-boundary integral, sharpens object outlines."),
        QT_TRANSLATE_NOOP("losses", "Accurate outlines (fields, buildings)"),
        ("kervadec2019", "milletari2016"),
        (
            _p(
                "boundary_weight",
                QT_TRANSLATE_NOOP("losses", "Boundary term weight"),
                0.5,
                0.0,
                0.99,
                QT_TRANSLATE_NOOP("losses", "Weight of the boundary term (Dice gets 1 - weight)."),
            ),
            *REGION,
        ),
    ),
    _Family(
        "hausdorff_dt",
        "binary_hausdorff_dt",
        "hausdorff_dt",
        QT_TRANSLATE_NOOP("losses", "Hausdorff distance"),
        QT_TRANSLATE_NOOP(
            "losses", "Hausdorff distance loss (distance transform form): penalises errors far from the boundary."
        ),
        QT_TRANSLATE_NOOP("losses", "Avoiding far-away false positives"),
        ("karimi2020",),
        (
            _p(
                "alpha",
                QT_TRANSLATE_NOOP("losses", "Distance exponent α"),
                2.0,
                0.5,
                4.0,
                QT_TRANSLATE_NOOP("losses", "Exponent of the distance maps."),
            ),
        ),
    ),
    _Family(
        "cldice",
        "binary_cldice",
        "cldice",
        QT_TRANSLATE_NOOP("losses", "clDice"),
        QT_TRANSLATE_NOOP(
            "losses", "clDice: Dice + skeleton overlap of the foreground, preserves connectivity of thin structures."
        ),
        QT_TRANSLATE_NOOP("losses", "Roads, rivers, hedges, field boundaries"),
        ("shit2021",),
        (
            _p(
                "alpha",
                QT_TRANSLATE_NOOP("losses", "clDice weight α"),
                0.5,
                0.0,
                0.5,
                QT_TRANSLATE_NOOP(
                    "losses", "Weight of the clDice term (Dice gets 1 - alpha; clDice alone is no loss)."
                ),
            ),
            _p(
                "iterations",
                QT_TRANSLATE_NOOP("losses", "Skeleton iterations"),
                3,
                1,
                20,
                QT_TRANSLATE_NOOP("losses", "Soft skeleton iterations (about the structure's half width)."),
                "int",
            ),
        ),
    ),
    _Family(
        "mcc",
        "binary_mcc",
        "mcc",
        QT_TRANSLATE_NOOP("losses", "Matthews correlation (MCC)"),
        QT_TRANSLATE_NOOP("losses", "Matthews correlation coefficient loss: uses true negatives too."),
        QT_TRANSLATE_NOOP("losses", "Imbalanced data where background accuracy also matters"),
        ("abhishek2021",),
        REGION,
    ),
    _Family(
        "dice_ce_product",
        "binary_dice_bce_product",
        "product",
        QT_TRANSLATE_NOOP("losses", "Dice × cross-entropy"),
        QT_TRANSLATE_NOOP("losses", "Multiplicative loss: Dice x cross-entropy, no weights to tune."),
        QT_TRANSLATE_NOOP("losses", "A CE/Dice mix without tuning"),
        ("yokoi2025",),
    ),
)


def _build_catalog() -> tuple[LossSpec, ...]:
    specs = []
    for entry in _FAMILIES:
        reference = citation(entry.keys)
        binary_params = tuple(entry.binary_params.get(p.name, p) for p in entry.params)
        for name, mode, params, counterpart in (
            (entry.multiclass, "multiclass", entry.params, entry.binary),
            (entry.binary, "binary", binary_params, entry.multiclass),
        ):
            spec = LossSpec(
                name, mode, entry.family, entry.label, entry.description, entry.scenario, reference, params, counterpart
            )
            specs.append(replace(spec, reference_keys=entry.keys))
    return tuple(specs)


LOSSES: tuple[LossSpec, ...] = _build_catalog()
_BY_KEY = {(spec.mode, spec.name): spec for spec in LOSSES}
DEFAULT_LOSS = {"binary": "binary_dice_bce", "multiclass": "dice_ce"}


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}; valid modes: {', '.join(MODES)}.")


def available_losses(mode: str) -> list[LossSpec]:
    """The losses of ``mode`` (binary or multiclass), the recommended default first."""
    _check_mode(mode)
    return [spec for spec in LOSSES if spec.mode == mode]


def loss_spec(name: str, mode: str) -> LossSpec:
    """The catalog entry of ``name`` in ``mode``; a ValueError lists the valid names."""
    _check_mode(mode)
    try:
        return _BY_KEY[(mode, name)]
    except KeyError:
        valid = ", ".join(spec.name for spec in available_losses(mode))
        raise ValueError(f"Unknown {mode} loss {name!r}; valid {mode} losses: {valid}.") from None


def convert_loss_name(name: str, to_mode: str) -> str:
    """The equivalent of loss ``name`` in ``to_mode`` (SemanticSeg4EO's auto-conversion, for every loss).

    A name already of ``to_mode`` is returned unchanged.
    """
    _check_mode(to_mode)
    if (to_mode, name) in _BY_KEY:
        return name
    other = "binary" if to_mode == "multiclass" else "multiclass"
    return loss_spec(name, other).counterpart


def carried_params(name: str, mode: str, values: dict, to_mode: str) -> dict:
    """The values of loss ``name`` (of ``mode``) that keep their meaning in its ``to_mode`` counterpart.

    A value is carried when the counterpart has a parameter of the same name with the same default
    and range; others (say ``alpha`` of ``combo``, a scale defaulting to 1, and of ``binary_combo``, a
    foreground weight in [0.01, 0.99] defaulting to 0.5) are left out, to take the counterpart's
    default. For the dock's mode switch.
    """
    source = {p.name: p for p in loss_spec(name, mode).params}
    target = loss_spec(convert_loss_name(name, to_mode), to_mode).params
    same = {
        p.name
        for p in target
        if p.name in source
        and (source[p.name].default, source[p.name].minimum, source[p.name].maximum)
        == (p.default, p.minimum, p.maximum)
    }
    return {key: value for key, value in values.items() if key in same}

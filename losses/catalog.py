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

from .presets import DEFAULT_PRESET, LOSS_PRESETS
from .references import citation

MODES = ("binary", "multiclass")
IGNORE_INDEX = 255
"""Label value of unlabelled pixels (outside every polygon, nodata): they take no part in the loss."""


@dataclass(frozen=True)
class ParamSpec:
    """A loss parameter: its default and the range the dock allows (``kind``: float, int or bool)."""

    name: str
    default: float | int | bool
    minimum: float = 0.0
    maximum: float = 1.0
    description: str = ""
    kind: str = "float"

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
    description: str
    scenario: str  # when to choose it (the SemanticSeg4EO "choosing a loss" table, extended)
    reference: str  # full human citation(s): authors (year), title, venue
    params: tuple[ParamSpec, ...] = ()
    counterpart: str = ""  # the equivalent loss of the other mode
    reference_keys: tuple[str, ...] = field(default=())  # section anchors of docs/references.md

    def defaults(self) -> dict[str, float | int | bool]:
        return {p.name: p.default for p in self.params}


def _p(name: str, default, minimum=0.0, maximum=1.0, description: str = "", kind: str = "float") -> ParamSpec:
    return ParamSpec(name, default, minimum, maximum, description, kind)


SMOOTH = _p("smooth", 1e-5, 0.0, 10.0, "Added to numerator and denominator of the overlap ratio.")
PER_IMAGE = _p("per_image", False, 0, 1, "Score each image separately instead of the whole batch.", "bool")
REGION = (SMOOTH, PER_IMAGE)
FOCAL_GAMMA = _p("gamma", 2.0, 0.0, 5.0, "Focusing exponent: higher puts more weight on hard pixels; 0 gives CE.")


def focal_alpha(default: float, binary: bool, name: str = "alpha") -> ParamSpec:
    """Focal alpha: in binary mode the foreground weight (background 1 - alpha, Lin et al.), kept inside
    (0, 1) so that neither class gets weight 0; in multiclass mode a scale of the whole term, kept > 0."""
    if binary:
        text = "Weight of foreground pixels; background pixels get 1 - alpha (0.5 weighs both alike)."
        return _p(name, default, 0.01, 0.99, text)
    return _p(name, default, 0.01, 1.0, "Scales the whole focal term, every class alike (1: unscaled).")


TVERSKY_ALPHA = _p("alpha", 0.3, 0.01, 1.0, "Weight of false positives: lower tolerates more of them (higher recall).")
TVERSKY_BETA = _p("beta", 0.7, 0.01, 1.0, "Weight of false negatives: higher penalises missed pixels (higher recall).")
UNIFIED_FOCAL = (
    _p("weight", 0.5, 0.0, 1.0, "lambda: weight of the focal Tversky term."),
    _p("delta", 0.6, 0.01, 0.99, "Weight of rare classes vs background, and of FN vs FP."),
    _p("gamma", 0.5, 0.0, 0.9, "Focal parameter (the rare classes' Tversky term is raised to 1 - gamma)."),
    *REGION,
)


def _weights(ce: float, dice: float, focal: float | None = None) -> tuple[ParamSpec, ...]:
    specs = [
        _p("ce_weight", ce, 0.0, 10.0, "Weight of the cross-entropy term."),
        _p("dice_weight", dice, 0.0, 10.0, "Weight of the Dice term."),
    ]
    if focal is not None:
        specs.append(_p("focal_weight", focal, 0.0, 10.0, "Weight of the Focal term."))
    return tuple(specs)


DUAL_FOCAL_ALPHA = "Weight of the |g - p|^gamma term, as a share of its safe maximum min(1, beta/rho)."


class _Family(NamedTuple):
    """One loss in both modes: ``binary_params`` replaces the same-named multiclass parameters."""

    multiclass: str
    binary: str
    family: str
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
        "Recommended default. Dice + cross-entropy, 50/50: region overlap and pixel accuracy.",
        "Balanced data; a robust default",
        ("milletari2016", "long2015"),
        _weights(0.5, 0.5),
        {"ce_weight": _p("bce_weight", 0.5, 0.0, 10.0, "Weight of the binary cross-entropy term.")},
    ),
    _Family(
        "ce",
        "bce",
        "cross_entropy",
        "Standard cross-entropy. Simple and fast; works well for balanced classes.",
        "Balanced classes, simple baseline",
        ("long2015",),
    ),
    _Family(
        "dice",
        "binary_dice",
        "dice",
        "Soft Dice loss: optimises region overlap; insensitive to class imbalance, can be unstable alone.",
        "Imbalanced classes, overlap matters most",
        ("milletari2016",),
        REGION,
    ),
    _Family(
        "focal",
        "binary_focal",
        "focal",
        "Focal loss: down-weights easy pixels and focuses on hard ones near class boundaries.",
        "Many easy background pixels, hard examples matter",
        ("lin2017",),
        (FOCAL_GAMMA, focal_alpha(0.25, binary=False)),
        {"alpha": focal_alpha(0.25, binary=True)},
    ),
    _Family(
        "focal_dice",
        "binary_focal_dice",
        "weighted_terms",
        "Focal + Dice, 50/50: hard pixels and region overlap.",
        "Imbalanced data, rare foreground or rare classes",
        ("lin2017", "milletari2016"),
        (
            _p("focal_weight", 0.5, 0.0, 10.0, "Weight of the Focal term."),
            _p("dice_weight", 0.5, 0.0, 10.0, "Weight of the Dice term."),
            FOCAL_GAMMA,
            focal_alpha(1.0, binary=False),
        ),
        {"alpha": focal_alpha(0.25, binary=True)},
    ),
    _Family(
        "tversky",
        "binary_tversky",
        "tversky",
        "Tversky loss: Dice with separate weights for false positives (alpha) and false negatives (beta).",
        "High recall (alpha < beta) or high precision (alpha > beta)",
        ("salehi2017",),
        (TVERSKY_ALPHA, TVERSKY_BETA, *REGION),
    ),
    _Family(
        "focal_tversky",
        "binary_focal_tversky",
        "tversky",
        "Focal Tversky loss (Abraham & Khan): (1 - Tversky)^(1/gamma), emphasises poorly segmented, small objects.",
        "Very imbalanced data where recall is critical",
        ("abraham2019",),
        (
            TVERSKY_ALPHA,
            TVERSKY_BETA,
            _p("gamma", 4.0 / 3.0, 1.0, 3.0, "Focal Tversky gamma: the exponent is 1/gamma."),
            *REGION,
        ),
    ),
    _Family(
        "focal_plus_tversky",
        "binary_focal_plus_tversky",
        "focal_plus_tversky",
        "Focal + Tversky combination, 50/50: the focal loss plus the Tversky loss (a weighted sum).",
        "Very imbalanced data where recall is critical, with pixel-level focusing",
        ("lin2017", "salehi2017", "semanticseg4eo"),
        (
            _p("focal_weight", 0.5, 0.0, 10.0, "Weight of the Focal term."),
            _p("tversky_weight", 0.5, 0.0, 10.0, "Weight of the Tversky term."),
            _p("focal_gamma", 2.0, 0.0, 5.0, "Focal focusing exponent (0 gives CE)."),
            focal_alpha(1.0, binary=False, name="focal_alpha"),
            _p("tversky_alpha", 0.3, 0.01, 1.0, "Tversky weight of false positives."),
            _p("tversky_beta", 0.7, 0.01, 1.0, "Tversky weight of false negatives."),
            *REGION,
        ),
        {"focal_alpha": focal_alpha(0.25, binary=True, name="focal_alpha")},
    ),
    _Family(
        "combo",
        "binary_combo",
        "weighted_terms",
        "Weighted CE + Dice + Focal (Swastika 2025 study); presets equal, ce_dominant, dice_dominant (default), ...",
        "Multi-class land cover; tune weights with the loss comparison",
        ("swastika2025", "lin2017", "milletari2016"),
        (*_STUDY_WEIGHTS, _p("gamma", 2.0, 0.0, 5.0, "Focal gamma."), focal_alpha(1.0, binary=False)),
        {"alpha": focal_alpha(0.5, binary=True)},
    ),
    _Family(
        "dual_focal",
        "binary_dual_focal",
        "dual_focal",
        "Dual Focal loss: rewards true classes, penalises false ones, learnable scaling, adaptive class weights.",
        "Class imbalance, faster convergence than cross-entropy",
        ("hossain2021",),
        (
            _p("alpha", 1.0, 0.0, 1.0, DUAL_FOCAL_ALPHA),
            _p("beta", 1.0, 0.0, 5.0, "Weight of the false-class term."),
            _p("gamma", 1.0, 1.0, 5.0, "Scaling exponent (>= 1 keeps the perfect prediction the minimum)."),
            _p("rho", 1.0, 1.0, 2.0, "Offset in log(rho - p)."),
            _p("learnable_gamma", False, 0, 1, "Optimise gamma (in (1, 5)) with the network.", "bool"),
            _p("adaptive_weights", False, 0, 1, "Weight classes by inverse frequency in each batch.", "bool"),
        ),
    ),
    _Family(
        "topk_ce",
        "binary_topk_bce",
        "topk_ce",
        "TopK cross-entropy: averages only the k % hardest pixels.",
        "Noisy easy background, learning from hard pixels",
        ("wu2016",),
        (_p("k_percent", 10.0, 1.0, 100.0, "Share of hardest pixels kept, in percent."),),
    ),
    _Family(
        "distance_ce",
        "binary_distance_bce",
        "distance_ce",
        "Cross-entropy weighted up near class boundaries (distance map penalty).",
        "Sharp boundaries between classes",
        ("caliva2019",),
        (_p("boundary_weight", 1.0, 0.0, 20.0, "Extra weight of boundary pixels (1 + weight)."),),
    ),
    _Family(
        "jaccard",
        "binary_jaccard",
        "jaccard",
        "Soft Jaccard (IoU) loss: optimises the IoU directly.",
        "When IoU is the target metric",
        ("rahman2016",),
        REGION,
    ),
    _Family(
        "lovasz_softmax",
        "lovasz_hinge",
        "lovasz",
        "Lovász loss: a convex surrogate of the IoU (softmax form / hinge form in binary mode).",
        "Fine-tuning for IoU",
        ("berman2018",),
        (PER_IMAGE,),
    ),
    _Family(
        "log_cosh_dice",
        "binary_log_cosh_dice",
        "log_cosh_dice",
        "Log-cosh Dice: a smoothed Dice loss.",
        "Dice's goal with smoother optimisation",
        ("jadon2020",),
        REGION,
    ),
    _Family(
        "generalized_dice",
        "binary_generalized_dice",
        "generalized_dice",
        "Generalized Dice: classes weighted by 1 / (pixel count)^2.",
        "Highly imbalanced class sizes",
        ("sudre2017",),
        REGION,
    ),
    _Family(
        "sensitivity_specificity",
        "binary_sensitivity_specificity",
        "sensitivity_specificity",
        "Sensitivity-specificity loss: squared errors inside and outside each class, weighted by r.",
        "Tiny objects where sensitivity must be traded explicitly",
        ("brosch2015",),
        (_p("r", 0.05, 0.01, 0.99, "Weight of the sensitivity term (1 - r: specificity)."), PER_IMAGE),
    ),
    _Family(
        "exp_log",
        "binary_exp_log",
        "exp_log",
        "Exponential logarithmic loss: (-ln Dice)^gamma and (-ln p)^gamma terms.",
        "Small structures of very different sizes",
        ("wong2018",),
        (
            _p("gamma", 0.3, 0.05, 1.0, "Exponent of both terms."),
            _p("dice_weight", 0.8, 0.0, 1.0, "Weight of the Dice term."),
            _p("ce_weight", 0.2, 0.0, 1.0, "Weight of the cross-entropy term."),
            PER_IMAGE,
        ),
    ),
    _Family(
        "taghanaki_combo",
        "binary_taghanaki_combo",
        "taghanaki_combo",
        "Combo loss: beta-weighted cross-entropy + Dice, alpha balancing the two.",
        "Imbalanced data, control of FP/FN in the CE term",
        ("taghanaki2019",),
        (
            _p("alpha", 0.5, 0.0, 1.0, "Weight of the cross-entropy term."),
            _p("beta", 0.5, 0.0, 1.0, "Weight of false negatives in the cross-entropy term (FP: 1 - beta)."),
        ),
        {"beta": _p("beta", 0.5, 0.01, 0.99, "Weight of false negatives in the cross-entropy term (FP: 1 - beta).")},
    ),
    _Family(
        "unified_focal",
        "binary_unified_focal",
        "unified_focal",
        "Asymmetric Unified Focal loss: focal + focal Tversky, rare classes never suppressed.",
        "Severe imbalance (rare foreground or classes)",
        ("yeung2022",),
        UNIFIED_FOCAL,
    ),
    _Family(
        "symmetric_unified_focal",
        "binary_symmetric_unified_focal",
        "symmetric_unified_focal",
        "Symmetric Unified Focal loss: focal + focal Tversky applied alike to every class.",
        "Imbalance where background errors matter too",
        ("yeung2022",),
        UNIFIED_FOCAL,
    ),
    _Family(
        "boundary",
        "binary_boundary",
        "boundary",
        "Boundary loss: Dice + distance-to-boundary integral, sharpens object outlines.",
        "Accurate outlines (fields, buildings)",
        ("kervadec2019", "milletari2016"),
        (
            _p("boundary_weight", 0.5, 0.0, 0.99, "Weight of the boundary term (Dice gets 1 - weight)."),
            *REGION,
        ),
    ),
    _Family(
        "hausdorff_dt",
        "binary_hausdorff_dt",
        "hausdorff_dt",
        "Hausdorff distance loss (distance transform form): penalises errors far from the boundary.",
        "Avoiding far-away false positives",
        ("karimi2020",),
        (_p("alpha", 2.0, 0.5, 4.0, "Exponent of the distance maps."),),
    ),
    _Family(
        "cldice",
        "binary_cldice",
        "cldice",
        "clDice: Dice + skeleton overlap of the foreground classes, preserves connectivity of thin structures.",
        "Roads, rivers, hedges, field boundaries",
        ("shit2021",),
        (
            _p("alpha", 0.5, 0.0, 0.5, "Weight of the clDice term (Dice gets 1 - alpha; clDice alone is no loss)."),
            _p("iterations", 3, 1, 20, "Soft skeleton iterations (about the structure's half width).", "int"),
        ),
    ),
    _Family(
        "mcc",
        "binary_mcc",
        "mcc",
        "Matthews correlation coefficient loss: uses true negatives too.",
        "Imbalanced data where background accuracy also matters",
        ("abhishek2021",),
        REGION,
    ),
    _Family(
        "dice_ce_product",
        "binary_dice_bce_product",
        "product",
        "Multiplicative loss: Dice x cross-entropy, no weights to tune.",
        "A CE/Dice mix without tuning",
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
            spec = LossSpec(name, mode, entry.family, entry.description, entry.scenario, reference, params, counterpart)
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

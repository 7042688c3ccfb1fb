"""What losses exist, per mode, with descriptions, scenarios and parameters: standard library only.

The dock builds its loss dropdown, tooltips and parameter widgets from ``available_losses``
without importing torch; ``build_loss`` (``registry``) builds the torch module from the same entries.
Every loss exists in both modes; ``convert_loss_name`` maps a loss to its counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .presets import DEFAULT_PRESET, LOSS_PRESETS

MODES = ("binary", "multiclass")


@dataclass(frozen=True)
class ParamSpec:
    """A loss parameter: its default and the range the dock allows (``kind``: float, int or bool)."""

    name: str
    default: float | int | bool
    minimum: float = 0.0
    maximum: float = 1.0
    description: str = ""
    kind: str = "float"


@dataclass(frozen=True)
class LossSpec:
    name: str
    mode: str
    family: str  # the implementation (registry key), shared by both modes
    description: str
    scenario: str  # when to choose it (seed 000's "choosing a loss" table, extended)
    reference: str
    params: tuple[ParamSpec, ...] = ()
    counterpart: str = ""  # the equivalent loss of the other mode

    def defaults(self) -> dict[str, float | int | bool]:
        return {p.name: p.default for p in self.params}


def _p(name: str, default, minimum=0.0, maximum=1.0, description: str = "", kind: str = "float") -> ParamSpec:
    return ParamSpec(name, default, minimum, maximum, description, kind)


SMOOTH = _p("smooth", 1e-5, 0.0, 10.0, "Added to numerator and denominator of the overlap ratio.")
PER_IMAGE = _p("per_image", False, 0, 1, "Score each image separately instead of the whole batch.", "bool")
FOCAL_GAMMA = _p("gamma", 2.0, 0.0, 5.0, "Focusing exponent: higher puts more weight on hard pixels; 0 gives CE.")
FOCAL_ALPHA = _p("alpha", 0.25, 0.0, 1.0, "Weight of the foreground class (binary) or of the whole term (multiclass).")
TVERSKY_ALPHA = _p("alpha", 0.3, 0.0, 1.0, "Weight of false positives: lower tolerates more of them (higher recall).")
TVERSKY_BETA = _p("beta", 0.7, 0.0, 1.0, "Weight of false negatives: higher penalises missed pixels (higher recall).")
REGION = (SMOOTH, PER_IMAGE)
UNIFIED_FOCAL = (
    _p("weight", 0.5, 0.0, 1.0, "lambda: weight of the focal Tversky term."),
    _p("delta", 0.6, 0.0, 1.0, "Weight of rare classes vs background, and of FN vs FP."),
    _p("gamma", 0.5, 0.0, 1.0, "Focal parameter."),
    *REGION,
)


def _weights(ce: float, dice: float, focal: float | None = None, ce_name: str = "ce_weight") -> tuple[ParamSpec, ...]:
    specs = [
        _p(ce_name, ce, 0.0, 10.0, "Weight of the cross-entropy term."),
        _p("dice_weight", dice, 0.0, 10.0, "Weight of the Dice term."),
    ]
    if focal is not None:
        specs.append(_p("focal_weight", focal, 0.0, 10.0, "Weight of the Focal term."))
    return tuple(specs)


# (multiclass name, binary name, family, description, scenario, reference, params, binary-only param overrides)
_FAMILIES = (
    (
        "dice_ce",
        "binary_dice_bce",
        "weighted_terms",
        "Recommended default. Dice + cross-entropy, 50/50: region overlap and pixel accuracy.",
        "Balanced data; a robust default",
        "Milletari 2016 + cross-entropy",
        _weights(0.5, 0.5),
        {"ce_weight": "bce_weight"},
    ),
    (
        "ce",
        "bce",
        "cross_entropy",
        "Standard cross-entropy. Simple and fast; works well for balanced classes.",
        "Balanced classes, simple baseline",
        "maximum likelihood",
        (),
        {},
    ),
    (
        "dice",
        "binary_dice",
        "dice",
        "Soft Dice loss: optimises region overlap; insensitive to class imbalance, can be unstable alone.",
        "Imbalanced classes, overlap matters most",
        "Milletari, Navab & Ahmadi, 3DV 2016",
        REGION,
        {},
    ),
    (
        "focal",
        "binary_focal",
        "focal",
        "Focal loss: down-weights easy pixels and focuses on hard ones near class boundaries.",
        "Many easy background pixels, hard examples matter",
        "Lin et al., ICCV 2017",
        (FOCAL_GAMMA, FOCAL_ALPHA),
        {},
    ),
    (
        "focal_dice",
        "binary_focal_dice",
        "weighted_terms",
        "Focal + Dice, 50/50: hard pixels and region overlap.",
        "Imbalanced data, rare foreground or rare classes",
        "Lin 2017 + Milletari 2016",
        (
            _p("focal_weight", 0.5, 0.0, 10.0, "Weight of the Focal term."),
            _p("dice_weight", 0.5, 0.0, 10.0, "Weight of the Dice term."),
            FOCAL_GAMMA,
            FOCAL_ALPHA,
        ),
        {},
    ),
    (
        "tversky",
        "binary_tversky",
        "tversky",
        "Tversky loss: Dice with separate weights for false positives (alpha) and false negatives (beta).",
        "High recall (alpha < beta) or high precision (alpha > beta)",
        "Salehi et al., MLMI 2017",
        (TVERSKY_ALPHA, TVERSKY_BETA, *REGION),
        {},
    ),
    (
        "focal_tversky",
        "binary_focal_tversky",
        "tversky",
        "Focal Tversky loss: (1 - Tversky)^(1/gamma), emphasises poorly segmented, small objects.",
        "Very imbalanced data where recall is critical",
        "Abraham & Khan, ISBI 2019",
        (
            TVERSKY_ALPHA,
            TVERSKY_BETA,
            _p("gamma", 4.0 / 3.0, 1.0, 3.0, "Focal Tversky gamma: the exponent is 1/gamma."),
            *REGION,
        ),
        {},
    ),
    (
        "combo",
        "binary_combo",
        "weighted_terms",
        "Weighted CE + Dice + Focal (seed 003 study); presets equal, ce_dominant, dice_dominant (default), ...",
        "Multi-class land cover; tune weights with the loss comparison",
        "Swastika 2025 (seed 003)",
        (
            *_weights(*(LOSS_PRESETS[DEFAULT_PRESET][k] for k in ("ce_weight", "dice_weight", "focal_weight"))),
            _p("gamma", 2.0, 0.0, 5.0, "Focal gamma."),
            _p("alpha", 1.0, 0.0, 1.0, "Focal alpha (the study used 1)."),
        ),
        {},
    ),
    (
        "dual_focal",
        "binary_dual_focal",
        "dual_focal",
        "Dual Focal loss: rewards true classes, penalises false ones, learnable scaling, adaptive class weights.",
        "Class imbalance, faster convergence than cross-entropy",
        "Hossain, Paplinski & Betts, Neurocomputing 2021",
        (
            _p("alpha", 1.0, 0.0, 5.0, "Weight of the focal |g - p|^gamma term."),
            _p("beta", 1.0, 0.0, 5.0, "Weight of the false-class term."),
            _p("gamma", 1.0, 0.1, 5.0, "Scaling exponent."),
            _p("rho", 1.0, 1.0, 2.0, "Offset in log(rho - p)."),
            _p("learnable_gamma", False, 0, 1, "Optimise gamma with the network.", "bool"),
            _p("adaptive_weights", False, 0, 1, "Weight classes by inverse frequency in each batch.", "bool"),
        ),
        {},
    ),
    (
        "topk_ce",
        "binary_topk_bce",
        "topk_ce",
        "TopK cross-entropy: averages only the k % hardest pixels.",
        "Noisy easy background, learning from hard pixels",
        "Wu, Shen & van den Hengel 2016",
        (_p("k_percent", 10.0, 1.0, 100.0, "Share of hardest pixels kept, in percent."),),
        {},
    ),
    (
        "distance_ce",
        "binary_distance_bce",
        "distance_ce",
        "Cross-entropy weighted up near class boundaries (distance map penalty).",
        "Sharp boundaries between classes",
        "Caliva et al., MIDL 2019",
        (_p("boundary_weight", 1.0, 0.0, 20.0, "Extra weight of boundary pixels (1 + weight)."),),
        {},
    ),
    (
        "jaccard",
        "binary_jaccard",
        "jaccard",
        "Soft Jaccard (IoU) loss: optimises the IoU directly.",
        "When IoU is the target metric",
        "Rahman & Wang, ISVC 2016",
        REGION,
        {},
    ),
    (
        "lovasz_softmax",
        "lovasz_hinge",
        "lovasz",
        "Lovász loss: a convex surrogate of the IoU (softmax form / hinge form in binary mode).",
        "Fine-tuning for IoU",
        "Berman, Rannen Triki & Blaschko, CVPR 2018",
        (PER_IMAGE,),
        {},
    ),
    (
        "log_cosh_dice",
        "binary_log_cosh_dice",
        "log_cosh_dice",
        "Log-cosh Dice: a smoothed Dice loss.",
        "Dice's goal with smoother optimisation",
        "Jadon, CIBCB 2020",
        REGION,
        {},
    ),
    (
        "generalized_dice",
        "binary_generalized_dice",
        "generalized_dice",
        "Generalized Dice: classes weighted by 1 / (pixel count)^2.",
        "Highly imbalanced class sizes",
        "Sudre et al., DLMIA 2017",
        REGION,
        {},
    ),
    (
        "sensitivity_specificity",
        "binary_sensitivity_specificity",
        "sensitivity_specificity",
        "Sensitivity-specificity loss: squared errors inside and outside each class, weighted by r.",
        "Tiny objects where sensitivity must be traded explicitly",
        "Brosch et al., MICCAI 2015",
        (_p("r", 0.05, 0.0, 1.0, "Weight of the sensitivity term."), *REGION),
        {},
    ),
    (
        "exp_log",
        "binary_exp_log",
        "exp_log",
        "Exponential logarithmic loss: (-ln Dice)^gamma and (-ln p)^gamma terms.",
        "Small structures of very different sizes",
        "Wong et al., MICCAI 2018",
        (
            _p("gamma", 0.3, 0.05, 1.0, "Exponent of both terms."),
            _p("dice_weight", 0.8, 0.0, 1.0, "Weight of the Dice term."),
            _p("ce_weight", 0.2, 0.0, 1.0, "Weight of the cross-entropy term."),
            PER_IMAGE,
        ),
        {},
    ),
    (
        "taghanaki_combo",
        "binary_taghanaki_combo",
        "taghanaki_combo",
        "Combo loss: beta-weighted cross-entropy + Dice, alpha balancing the two.",
        "Imbalanced data, control of FP/FN in the CE term",
        "Taghanaki et al., CMIG 2019",
        (
            _p("alpha", 0.5, 0.0, 1.0, "Weight of the cross-entropy term."),
            _p("beta", 0.5, 0.0, 1.0, "Weight of false negatives in the cross-entropy term."),
        ),
        {},
    ),
    (
        "unified_focal",
        "binary_unified_focal",
        "unified_focal",
        "Asymmetric Unified Focal loss: focal + focal Tversky, rare classes never suppressed.",
        "Severe imbalance (rare foreground or classes)",
        "Yeung et al., CMIG 2022",
        UNIFIED_FOCAL,
        {},
    ),
    (
        "symmetric_unified_focal",
        "binary_symmetric_unified_focal",
        "symmetric_unified_focal",
        "Symmetric Unified Focal loss: focal + focal Tversky applied alike to every class.",
        "Imbalance where background errors matter too",
        "Yeung et al., CMIG 2022",
        UNIFIED_FOCAL,
        {},
    ),
    (
        "boundary",
        "binary_boundary",
        "boundary",
        "Boundary loss: Dice + distance-to-boundary integral, sharpens object outlines.",
        "Accurate outlines (fields, buildings)",
        "Kervadec et al., MIDL 2019",
        (_p("boundary_weight", 0.5, 0.0, 1.0, "Weight of the boundary term (Dice gets 1 - weight)."), *REGION),
        {},
    ),
    (
        "hausdorff_dt",
        "binary_hausdorff_dt",
        "hausdorff_dt",
        "Hausdorff distance loss (distance transform form): penalises errors far from the boundary.",
        "Avoiding far-away false positives",
        "Karimi & Salcudean, IEEE TMI 2020",
        (_p("alpha", 2.0, 0.5, 4.0, "Exponent of the distance maps."),),
        {},
    ),
    (
        "cldice",
        "binary_cldice",
        "cldice",
        "clDice: Dice + skeleton overlap, preserves connectivity of thin structures.",
        "Roads, rivers, hedges, field boundaries",
        "Shit et al., CVPR 2021",
        (
            _p("alpha", 0.5, 0.0, 1.0, "Weight of the clDice term."),
            _p("iterations", 3, 1, 20, "Soft skeleton iterations (about the structure's half width).", "int"),
        ),
        {},
    ),
    (
        "mcc",
        "binary_mcc",
        "mcc",
        "Matthews correlation coefficient loss: uses true negatives too.",
        "Imbalanced data where background accuracy also matters",
        "Abhishek & Hamarneh, ISBI 2021",
        REGION,
        {},
    ),
    (
        "dice_ce_product",
        "binary_dice_bce_product",
        "product",
        "Multiplicative loss: Dice x cross-entropy, no weights to tune.",
        "A CE/Dice mix without tuning",
        "Yokoi & Hotta, ICCV Workshops 2025",
        (),
        {},
    ),
)


def _build_catalog() -> tuple[LossSpec, ...]:
    specs = []
    for multi, binary, family, description, scenario, reference, params, binary_renames in _FAMILIES:
        specs.append(LossSpec(multi, "multiclass", family, description, scenario, reference, params, binary))
        renamed = tuple(replace(p, name=binary_renames.get(p.name, p.name)) for p in params)
        specs.append(LossSpec(binary, "binary", family, description, scenario, reference, renamed, multi))
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
    """The equivalent of loss ``name`` in ``to_mode`` (seed 000's auto-conversion, for every loss).

    A name already of ``to_mode`` is returned unchanged.
    """
    _check_mode(to_mode)
    if (to_mode, name) in _BY_KEY:
        return name
    other = "binary" if to_mode == "multiclass" else "multiclass"
    return loss_spec(name, other).counterpart

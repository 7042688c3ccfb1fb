"""What losses exist, per mode, with their descriptions and parameters: standard library only.

The dock builds its loss dropdown, tooltips and parameter widgets from ``available_losses`` without
importing torch; ``build_loss`` (in ``registry``) builds the torch module from the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODES = ("binary", "multiclass")


@dataclass(frozen=True)
class ParamSpec:
    """A tunable loss parameter: default and the range the dock allows."""

    name: str
    default: float
    minimum: float
    maximum: float
    description: str


@dataclass(frozen=True)
class LossSpec:
    name: str
    mode: str
    description: str
    scenario: str  # when to choose it (seed 000's "choosing a loss" table)
    params: tuple[ParamSpec, ...] = field(default_factory=tuple)
    counterpart: str = ""  # the equivalent loss of the other mode (auto-conversion)


_CE_WEIGHT = ParamSpec("ce_weight", 0.5, 0.0, 10.0, "Weight of the cross-entropy term.")
_BCE_WEIGHT = ParamSpec("bce_weight", 0.5, 0.0, 10.0, "Weight of the binary cross-entropy term.")
_DICE_WEIGHT = ParamSpec("dice_weight", 0.5, 0.0, 10.0, "Weight of the Dice term.")

LOSSES: tuple[LossSpec, ...] = (
    LossSpec(
        "binary_dice_bce",
        "binary",
        "Recommended default. Dice + binary cross-entropy, 50/50: region overlap and pixel accuracy.",
        "Balanced binary dataset",
        (_BCE_WEIGHT, _DICE_WEIGHT),
        counterpart="dice_ce",
    ),
    LossSpec(
        "bce",
        "binary",
        "Standard binary cross-entropy. Simple and fast; suits balanced classes.",
        "Balanced binary dataset, simple baseline",
        counterpart="ce",
    ),
    LossSpec(
        "binary_dice",
        "binary",
        "Soft Dice loss on the foreground: region overlap, insensitive to imbalance.",
        "Imbalanced binary (rare foreground)",
        counterpart="dice",
    ),
    LossSpec(
        "dice_ce",
        "multiclass",
        "Recommended default. Multiclass Dice + cross-entropy, 50/50. Robust on most datasets.",
        "Balanced multi-class",
        (_CE_WEIGHT, _DICE_WEIGHT),
        counterpart="binary_dice_bce",
    ),
    LossSpec(
        "ce",
        "multiclass",
        "Standard cross-entropy. Classic choice for balanced classes.",
        "Balanced multi-class, simple baseline",
        counterpart="bce",
    ),
    LossSpec(
        "dice",
        "multiclass",
        "Multiclass soft Dice loss, averaged over the classes present.",
        "Imbalanced multi-class (rare classes)",
        counterpart="binary_dice",
    ),
)

_BY_KEY = {(spec.mode, spec.name): spec for spec in LOSSES}


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
    """The equivalent of loss ``name`` in ``to_mode`` (seed 000's auto-conversion).

    A name already of ``to_mode`` is returned unchanged.
    """
    _check_mode(to_mode)
    if (to_mode, name) in _BY_KEY:
        return name
    other = "binary" if to_mode == "multiclass" else "multiclass"
    return loss_spec(name, other).counterpart

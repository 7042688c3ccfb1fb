"""The catalog: the SemanticSeg4EO names and defaults, auto-conversion, presets, errors, citations, coverage."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from segmentation_trainer.losses import LOSS_PRESETS, available_losses, build_loss, convert_loss_name, loss_spec
from segmentation_trainer.losses.presets import PRESET_LABELS
from segmentation_trainer.losses.references import CITATIONS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# keys other parts of the project link to (metrics, statistics, models)
PROJECT_KEYS = {
    "swastika2025",
    "azad2023",
    "hossain2021",
    "semanticseg4eo",
    "cheng2021",
    "everingham2010",
    "holm1979",
    "efron1993",
    "moran1950",
    "brown1974",
    "satterthwaite1946",
    "scheffe1970",
    "roberts2017",
    "eigen2015",
    "ronneberger2015",
    "chen2018",
    "oktay2018",
    "lin2017",
    "milletari2016",
}

DOCUMENTED_BINARY = [
    "bce",
    "binary_dice",
    "binary_focal",
    "binary_focal_dice",
    "binary_tversky",
    "binary_focal_tversky",
    "binary_dice_bce",
]
DOCUMENTED_MULTICLASS = ["ce", "dice", "focal", "tversky", "focal_tversky", "dice_ce", "focal_dice", "combo"]


def test_documented_names_exist_and_defaults_come_first():
    binary = [s.name for s in available_losses("binary")]
    multiclass = [s.name for s in available_losses("multiclass")]
    assert set(DOCUMENTED_BINARY) <= set(binary) and set(DOCUMENTED_MULTICLASS) <= set(multiclass)
    assert binary[0] == "binary_dice_bce" and multiclass[0] == "dice_ce"


@pytest.mark.parametrize(
    "name, mode, expected",
    [
        ("binary_focal", "binary", {"gamma": 2.0, "alpha": 0.25}),
        ("focal", "multiclass", {"gamma": 2.0, "alpha": 0.25}),
        ("binary_tversky", "binary", {"alpha": 0.3, "beta": 0.7}),
        ("tversky", "multiclass", {"alpha": 0.3, "beta": 0.7}),
        ("focal_tversky", "multiclass", {"alpha": 0.3, "beta": 0.7, "gamma": 4 / 3}),
        ("binary_dice_bce", "binary", {"bce_weight": 0.5, "dice_weight": 0.5}),
        ("dice_ce", "multiclass", {"ce_weight": 0.5, "dice_weight": 0.5}),
        (
            "combo",
            "multiclass",
            {"ce_weight": 0.5, "dice_weight": 1.0, "focal_weight": 0.5, "alpha": 1.0, "gamma": 2.0},
        ),
        ("binary_combo", "binary", {"alpha": 0.5, "gamma": 2.0}),
        ("focal_dice", "multiclass", {"alpha": 1.0, "gamma": 2.0, "focal_weight": 0.5, "dice_weight": 0.5}),
        ("binary_focal_dice", "binary", {"alpha": 0.25, "gamma": 2.0}),
        ("focal_plus_tversky", "multiclass", {"focal_alpha": 1.0, "tversky_alpha": 0.3, "tversky_beta": 0.7}),
        ("binary_focal_plus_tversky", "binary", {"focal_alpha": 0.25, "focal_gamma": 2.0}),
    ],
)
def test_documented_defaults(name, mode, expected):
    defaults = loss_spec(name, mode).defaults()
    assert {k: defaults[k] for k in expected} == pytest.approx(expected)


@pytest.mark.parametrize(
    "binary, multiclass",
    [
        ("binary_dice_bce", "dice_ce"),
        ("binary_focal", "focal"),
        ("binary_tversky", "tversky"),
        ("bce", "ce"),
        ("binary_focal_tversky", "focal_tversky"),
        ("binary_focal_dice", "focal_dice"),
        ("lovasz_hinge", "lovasz_softmax"),
    ],
)
def test_auto_conversion(binary, multiclass):
    assert convert_loss_name(binary, "multiclass") == multiclass
    assert convert_loss_name(multiclass, "binary") == binary
    assert convert_loss_name(binary, "binary") == binary


def test_every_loss_has_both_modes_and_round_trips():
    for mode, other in (("binary", "multiclass"), ("multiclass", "binary")):
        for spec in available_losses(mode):
            assert convert_loss_name(convert_loss_name(spec.name, other), mode) == spec.name


def test_at_least_25_distinct_losses_with_references():
    assert len(available_losses("multiclass")) >= 25 and len(available_losses("binary")) >= 25
    assert all(s.description and s.scenario and s.reference for s in available_losses("binary"))
    for spec in available_losses("multiclass"):
        for p in spec.params:
            assert p.minimum <= p.default <= p.maximum, (spec.name, p)


def test_every_loss_and_parameter_has_a_label_and_a_help_text():
    """What the dock shows: a label per loss (one list of distinct labels per mode) and per
    parameter (distinct within a loss, never the identifier), each parameter with its help text."""
    for mode in ("binary", "multiclass"):
        specs = available_losses(mode)
        assert len({s.label for s in specs}) == len(specs)
        for spec in specs:
            assert spec.label and spec.label != spec.name
            assert len({p.label for p in spec.params}) == len(spec.params), spec.name
            assert all(p.label and p.label != p.name and p.description for p in spec.params), spec.name
    assert set(PRESET_LABELS) == set(LOSS_PRESETS)


def test_presets_are_the_studys_seven():
    """Table II's rule, in its order: every term at 1; one term at 1, the others at 0.5; one term alone."""
    terms = ("ce", "dice", "focal")
    expected = {"equal": {f"{u}_weight": 1.0 for u in terms}}
    for kind, others in (("dominant", 0.5), ("only", 0.0)):
        expected |= {f"{t}_{kind}": {f"{u}_weight": 1.0 if u == t else others for u in terms} for t in terms}
    assert list(LOSS_PRESETS) == list(expected) and LOSS_PRESETS == expected
    loss = build_loss("combo", "multiclass", 3, preset="ce_dominant")
    assert loss.weights == {"ce": 1.0, "dice": 0.5, "focal": 0.5}
    assert build_loss("combo", "multiclass", 3, ce_weight=2.0, dice_weight=0.0, focal_weight=0.3).weights == {
        "ce": 2.0,
        "focal": 0.3,
    }


def test_unknown_names_parameters_and_presets_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid multiclass losses: dice_ce, ce, dice, focal"):
        build_loss("lovasz", "multiclass", 3)
    with pytest.raises(ValueError, match="valid: ce_weight, dice_weight, ignore_index, class_weights"):
        build_loss("dice_ce", "multiclass", 3, gamma=2.0)
    with pytest.raises(ValueError, match="valid presets: equal, ce_dominant"):
        build_loss("combo", "multiclass", 3, preset="best")
    with pytest.raises(ValueError, match="Binary losses take 2 classes"):
        build_loss("bce", "binary", 3)
    with pytest.raises(ValueError, match="Unknown mode 'multi'"):
        available_losses("multi")


def test_tversky_warns_when_alpha_and_beta_do_not_sum_to_one():
    with pytest.warns(UserWarning, match="alpha \\+ beta = 1.2"):
        build_loss("tversky", "multiclass", 3, alpha=0.5, beta=0.7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_loss("tversky", "multiclass", 3, alpha=0.4, beta=0.6)


def test_every_loss_is_documented():
    text = (DOCS / "losses.md").read_text(encoding="utf-8")
    for spec in available_losses("multiclass"):
        assert f"`{spec.name}`" in text, spec.name
        binary = convert_loss_name(spec.name, "binary")
        assert f"`{binary}`" in text or binary == f"binary_{spec.name}", binary


def _sections() -> dict[str, str]:
    """docs/references.md: ``### key`` heading -> the section's text."""
    text = (DOCS / "references.md").read_text(encoding="utf-8")
    parts = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def test_every_reference_has_a_section_with_a_bibtex_entry():
    sections = _sections()
    keys = {key for mode in ("binary", "multiclass") for spec in available_losses(mode) for key in spec.reference_keys}
    assert keys <= set(CITATIONS) and set(CITATIONS) | PROJECT_KEYS <= set(sections)
    for key, section in sections.items():
        assert re.fullmatch(r"[a-z0-9]+", key), key
        assert re.search(r"```bibtex\n@\w+\{" + key + ",", section), key


def test_each_loss_cites_authors_year_title_and_venue_and_names_its_keys():
    for mode in ("binary", "multiclass"):
        for spec in available_losses(mode):
            assert spec.reference_keys, spec.name
            for key in spec.reference_keys:
                year = re.search(r"\d{4}", key)  # every key but the undated plugin documentation
                assert CITATIONS[key] in spec.reference, (spec.name, key)
                assert year is None or f"({year.group()})" in CITATIONS[key], (spec.name, key)
            assert "seed" not in spec.reference.lower()


def test_no_document_name_of_the_brief_is_cited():
    """Losses, their tests and docs cite papers by author, year and title."""
    pattern = re.compile("seed" + r"\s*00\d", re.IGNORECASE)
    files = [*(ROOT / "losses").glob("*.py"), *(ROOT / "tests" / "losses").glob("*.py"), DOCS / "losses.md"]
    files.append(DOCS / "references.md")
    assert [f.name for f in files if pattern.search(f.read_text(encoding="utf-8"))] == []


def test_carried_params_keep_only_values_of_the_same_meaning():
    """combo's alpha (a scale, default 1) is not binary_combo's (a foreground weight, default 0.5)."""
    from segmentation_trainer.losses.catalog import carried_params

    values = {"ce_weight": 0.7, "dice_weight": 1.0, "focal_weight": 0.5, "gamma": 3.0, "alpha": 1.0}
    assert carried_params("combo", "multiclass", values, "binary") == {
        "ce_weight": 0.7,
        "dice_weight": 1.0,
        "focal_weight": 0.5,
        "gamma": 3.0,
    }
    assert carried_params("binary_focal", "binary", {"alpha": 0.4, "gamma": 1.0}, "multiclass") == {"gamma": 1.0}
    assert carried_params("tversky", "multiclass", {"alpha": 0.4, "beta": 0.6}, "binary") == {"alpha": 0.4, "beta": 0.6}
    assert carried_params("dice_ce", "multiclass", {"ce_weight": 0.2}, "binary") == {}  # bce_weight there


def test_every_link_into_the_references_page_has_its_section():
    sections = set(re.findall(r"^### (\w+)$", (DOCS / "references.md").read_text(encoding="utf-8"), re.MULTILINE))
    pages = [*DOCS.glob("*.md"), ROOT / "README.md", *(ROOT / "core" / "templates").glob("*.html")]
    linked = {key for page in pages for key in re.findall(r"references\.md#(\w+)", page.read_text(encoding="utf-8"))}
    assert linked and linked <= sections, sorted(linked - sections)

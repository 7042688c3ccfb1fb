"""Independent reference implementations of every loss family, written from the papers' formulas.

Naive on purpose: float64, Python loops over pixels and classes, brute-force Euclidean distance
transforms and min/max filters, no torch, no SciPy, no segmentation library — so that they cannot
share a blind spot with ``segmentation_trainer.losses`` or with the libraries it is compared with
elsewhere. Each function states the formula it implements and the paper it comes from; the
plugin's documented conventions (``docs/losses.md``: ignored pixels, binary mode, batch or
per-image aggregation, present classes, class weights) are applied on top, explicitly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

IGNORE = 255


@dataclass
class Batch:
    """Logits ``(N, C, H, W)`` (binary: C = 1), labels ``(N, H, W)``, optional class weights."""

    logits: np.ndarray
    target: np.ndarray
    binary: bool
    class_weights: list[float] | None = None

    @property
    def n(self) -> int:
        return self.target.shape[0]

    @property
    def k(self) -> int:
        return 2 if self.binary else self.logits.shape[1]

    def pixels(self, image: int | None = None):
        """(n, row, col) of every valid pixel (of one image)."""
        images = range(self.n) if image is None else [image]
        return [
            (n, r, c)
            for n in images
            for r in range(self.target.shape[1])
            for c in range(self.target.shape[2])
            if self.target[n, r, c] != IGNORE
        ]

    def probs(self, pixel) -> list[float]:
        """p_k of one pixel: [1 - σ(z), σ(z)] in binary mode, the softmax otherwise."""
        n, r, c = pixel
        if self.binary:
            sigma = 1.0 / (1.0 + math.exp(-float(self.logits[n, 0, r, c])))
            return [1.0 - sigma, sigma]
        z = [float(v) for v in self.logits[n, :, r, c]]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        return [v / sum(e) for v in e]

    def label(self, pixel) -> int:
        return int(self.target[pixel])

    def weight(self, cls: int) -> float:
        return 1.0 if self.class_weights is None else float(self.class_weights[cls])

    def scored(self) -> list[int]:
        """Classes a region loss scores: the foreground in binary mode, every class otherwise."""
        return [1] if self.binary else list(range(self.k))

    def units(self, per_image: bool) -> list[int | None]:
        return list(range(self.n)) if per_image else [None]


# --- shared conventions ---------------------------------------------------------------------------


def weighted_pixel_mean(batch: Batch, value) -> float:
    """Σ_i v_{y_i} value(i) / Σ_i v_{y_i} over valid pixels (v: class weights, 1 without)."""
    total = weights = 0.0
    for pixel in batch.pixels():
        w = batch.weight(batch.label(pixel))
        total += w * value(pixel)
        weights += w
    return total / weights if weights else 0.0


def counts(batch: Batch, cls: int, image: int | None, power: float = 1.0) -> dict[str, float]:
    """Soft TP = Σ p g, P = Σ p, G = Σ g, N of class ``cls`` over the valid pixels of ``image``
    (None: the whole batch); ``power`` raises p first (Σ p² for the sensitivity-specificity loss)."""
    tp = predicted = actual = total = 0.0
    for pixel in batch.pixels(image):
        p = batch.probs(pixel)[cls] ** power
        g = 1.0 if batch.label(pixel) == cls else 0.0
        tp += p * g
        predicted += p
        actual += g
        total += 1.0
    return {"tp": tp, "p": predicted, "g": actual, "n": total}


def present_class_mean(batch: Batch, per_image: bool, per_class, classes=None) -> float:
    """Mean of ``per_class(counts, cls, image)`` over (image or batch, class) pairs whose class is in
    the labels, weighted by class weights (a class absent from the labels contributes nothing)."""
    total = weights = 0.0
    for image in batch.units(per_image):
        for cls in batch.scored() if classes is None else classes:
            s = counts(batch, cls, image)
            if s["g"] > 0:
                w = batch.weight(cls)
                total += w * per_class(s, cls, image)
                weights += w
    return total / weights if weights else 0.0


# --- pixel losses ---------------------------------------------------------------------------------


def cross_entropy(batch: Batch) -> float:
    """L = -Σ_i v_{y_i} log p_{i,y_i} / Σ_i v_{y_i} (maximum likelihood; class weights as in Long,
    Shelhamer & Darrell, "Fully convolutional networks for semantic segmentation", CVPR 2015)."""
    return weighted_pixel_mean(batch, lambda px: -math.log(batch.probs(px)[batch.label(px)]))


def topk_ce(batch: Batch, k_percent: float) -> float:
    """Mean of the ⌈N k/100⌉ largest v_{y_i} (-log p_{i,y_i}) (Wu, Shen & van den Hengel, "Bridging
    category-level and instance-level semantic image segmentation", arXiv:1605.06885, 2016)."""
    losses = sorted(
        (batch.weight(batch.label(px)) * -math.log(batch.probs(px)[batch.label(px)]) for px in batch.pixels()),
        reverse=True,
    )
    if not losses:
        return 0.0
    k = max(1, math.ceil(len(losses) * k_percent / 100.0))
    return sum(losses[:k]) / k


def focal_value(batch: Batch, pixel, gamma: float, alpha: float) -> float:
    """Lin et al.'s α-balanced focal loss of one pixel, FL(p_t) = -α_t (1 - p_t)^γ log p_t (Lin, Goyal,
    Girshick, He & Dollár, "Focal loss for dense object detection", ICCV 2017); binary α_t = α for
    the foreground, 1 - α for the background; multiclass α for every class."""
    y = batch.label(pixel)
    p_t = batch.probs(pixel)[y]
    alpha_t = (alpha if y == 1 else 1.0 - alpha) if batch.binary else alpha
    return -alpha_t * (1.0 - p_t) ** gamma * math.log(p_t)


def focal(batch: Batch, gamma: float, alpha: float) -> float:
    return weighted_pixel_mean(batch, lambda px: focal_value(batch, px, gamma, alpha))


def distance(a, b) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def boundary_proximity(batch: Batch, image: int) -> dict:
    """Φ of the distance-map penalty, as documented: boundary pixels (a valid 4-neighbour of another
    class), d = Euclidean distance to the nearest one, Φ = 1 - d / max(max d over valid pixels, 1)."""
    h, w = batch.target.shape[1:]
    valid = [(r, c) for (_, r, c) in batch.pixels(image)]
    labels = batch.target[image]
    edge = [
        (r, c)
        for (r, c) in valid
        if any(
            0 <= r + dr < h and 0 <= c + dc < w and labels[r + dr, c + dc] not in (IGNORE, labels[r, c])
            for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))
        )
    ]
    if not edge:
        return {pixel: 0.0 for pixel in valid}
    d = {pixel: min(distance(pixel, e) for e in edge) for pixel in valid}
    scale = max(max(d.values()), 1.0)
    return {pixel: max(0.0, 1.0 - d[pixel] / scale) for pixel in valid}


def distance_ce(batch: Batch, boundary_weight: float) -> float:
    """L = (1/N) Σ_i (1 + λ Φ_i) CE_i (Caliva, Iriondo, Martinez, Majumdar & Pedoia, "Distance map loss
    penalty term for semantic segmentation", MIDL 2019; penalty 1 + Φ, mean over pixels), class
    weighted like CE; Φ as documented in ``losses/cross_entropy.py``."""
    phi = {}
    for image in range(batch.n):
        phi.update({(image, *pixel): v for pixel, v in boundary_proximity(batch, image).items()})
    return weighted_pixel_mean(
        batch,
        lambda px: (1.0 + boundary_weight * phi[px]) * -math.log(batch.probs(px)[batch.label(px)]),
    )


def dual_focal(
    batch: Batch,
    alpha: float,
    beta: float,
    gamma: float,
    rho: float,
    learnable_gamma: bool = False,  # the initial γ is the given one
    adaptive_weights: bool = False,
) -> float:
    """Hossain, Paplinski & Betts, "Dual focal loss to address class imbalance in semantic
    segmentation", Neurocomputing 462 (2021): per pixel -Σ_c [g log p + β (1 - g) log(ρ - p)
    + a |g - p|^γ], the |g - p|^γ term a reward (the sign the plugin documents), a = α min(1, β/ρ)
    (α in units of its safe maximum, as documented); ``adaptive_weights``: class c's terms times
    (Σ G / G_c) normalised to mean 1 over present classes, 0 for absent classes."""
    weights = [1.0] * batch.k
    if adaptive_weights:
        g = [counts(batch, c, None)["g"] for c in range(batch.k)]
        inverse = [sum(g) / g[c] if g[c] else 0.0 for c in range(batch.k)]
        present = sum(1 for v in g if v)
        weights = [v * present / sum(inverse) for v in inverse]
    a = alpha * min(1.0, beta / rho)

    def value(pixel) -> float:
        p, y = batch.probs(pixel), batch.label(pixel)
        total = 0.0
        for c in range(batch.k):
            g = 1.0 if c == y else 0.0
            term = g * math.log(p[c]) + beta * (1.0 - g) * math.log(rho - p[c]) + a * abs(g - p[c]) ** gamma
            total -= weights[c] * term
        return total

    return weighted_pixel_mean(batch, value)


# --- region losses --------------------------------------------------------------------------------


def dice_coefficient(s: dict, smooth: float) -> float:
    """Soft Dice D = (2 TP + s) / (P + G + s) — the linear denominator of the plugin's convention
    (Milletari, Navab & Ahmadi, "V-Net", 3DV 2016, squares p and g in the denominator)."""
    return (2.0 * s["tp"] + smooth) / (s["p"] + s["g"] + smooth)


def dice(batch: Batch, smooth: float, per_image: bool = False) -> float:
    return present_class_mean(batch, per_image, lambda s, *_: 1.0 - dice_coefficient(s, smooth))


def log_cosh_dice(batch: Batch, smooth: float, per_image: bool = False) -> float:
    """log(cosh(L_Dice)) (Jadon, "A survey of loss functions for semantic segmentation", CIBCB 2020)."""
    return math.log(math.cosh(dice(batch, smooth, per_image)))


def jaccard(batch: Batch, smooth: float, per_image: bool = False) -> float:
    """1 - (TP + s) / (P + G - TP + s) (Rahman & Wang, "Optimizing intersection-over-union in deep neural
    networks for image segmentation", ISVC 2016)."""
    return present_class_mean(
        batch, per_image, lambda s, *_: 1.0 - (s["tp"] + smooth) / (s["p"] + s["g"] - s["tp"] + smooth)
    )


def tversky_index(s: dict, alpha: float, beta: float, smooth: float) -> float:
    """T = (TP + s) / (TP + α FP + β FN + s), FP = P - TP, FN = G - TP (Salehi, Erdogmus & Gholipour,
    "Tversky loss function for image segmentation using 3D fully convolutional deep networks", MLMI 2017)."""
    fp, fn = s["p"] - s["tp"], s["g"] - s["tp"]
    return (s["tp"] + smooth) / (s["tp"] + alpha * fp + beta * fn + smooth)


def tversky(batch: Batch, alpha: float, beta: float, smooth: float, per_image: bool = False) -> float:
    return present_class_mean(batch, per_image, lambda s, *_: 1.0 - tversky_index(s, alpha, beta, smooth))


def focal_tversky(batch: Batch, alpha: float, beta: float, gamma: float, smooth: float, per_image=False) -> float:
    """(1 - T)^(1/γ) per class (Abraham & Khan, "A novel focal Tversky loss function with improved
    attention U-Net for lesion segmentation", ISBI 2019)."""
    return present_class_mean(
        batch, per_image, lambda s, *_: (1.0 - tversky_index(s, alpha, beta, smooth)) ** (1.0 / gamma)
    )


def generalized_dice(batch: Batch, smooth: float, per_image: bool = False) -> float:
    """1 - (2 Σ_c w_c TP_c + s) / (Σ_c w_c (P_c + G_c) + s), w_c = v_c / G_c², every class (Sudre, Li,
    Vercauteren, Ourselin & Cardoso, "Generalised Dice overlap as a deep learning loss function for
    highly unbalanced segmentations", DLMIA 2017); absent classes w = 0; per image: the mean over
    images with a labelled pixel."""
    values = []
    for image in batch.units(per_image):
        stats = [counts(batch, c, image) for c in range(batch.k)]
        w = [batch.weight(c) / s["g"] ** 2 if s["g"] else 0.0 for c, s in enumerate(stats)]
        if any(s["g"] for s in stats):
            numerator = 2.0 * sum(wc * s["tp"] for wc, s in zip(w, stats)) + smooth
            denominator = sum(wc * (s["p"] + s["g"]) for wc, s in zip(w, stats)) + smooth
            values.append(1.0 - numerator / denominator)
    return sum(values) / len(values) if values else 0.0


def sensitivity_specificity(batch: Batch, r: float, per_image: bool = False) -> float:
    """r Σ(g - p)² g / Σ g + (1 - r) Σ(g - p)² (1 - g) / Σ(1 - g) (Brosch, Yoo, Tang, Li, Traboulsee &
    Tam, "Deep convolutional encoder networks for multiple sclerosis lesion segmentation", MICCAI 2015)."""

    def per_class(s, cls, image):
        inside = outside = 0.0
        for pixel in batch.pixels(image):
            g = 1.0 if batch.label(pixel) == cls else 0.0
            error = (g - batch.probs(pixel)[cls]) ** 2
            inside += error * g
            outside += error * (1.0 - g)
        negatives = s["n"] - s["g"]
        return r * inside / s["g"] + (1.0 - r) * (outside / negatives if negatives else 0.0)

    return present_class_mean(batch, per_image, per_class)


def mcc(batch: Batch, smooth: float, per_image: bool = False) -> float:
    """1 - (TP TN - FP FN) / sqrt((TP + FP)(TP + FN)(TN + FP)(TN + FN)), each count + ε (Abhishek &
    Hamarneh, "Matthews correlation coefficient loss for deep convolutional networks: application to
    skin lesion segmentation", ISBI 2021)."""

    def per_class(s, *_):
        tp, fp, fn = s["tp"], s["p"] - s["tp"], s["g"] - s["tp"]
        tn = s["n"] - s["p"] - s["g"] + s["tp"]
        tp, fp, fn, tn = (v + smooth for v in (tp, fp, fn, tn))
        return 1.0 - (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))

    return present_class_mean(batch, per_image, per_class)


def exp_log(batch: Batch, gamma: float, dice_weight: float, ce_weight: float, per_image: bool = False) -> float:
    """w_dice E[(-ln Dice_c)^γ] + w_ce E[w_l (-ln p_l)^γ], w_l = (Σ_k f_k / f_l)^0.5, Dice with s = 1
    (Wong, Moradi, Tang & Syeda-Mahmood, "3D segmentation with exponential logarithmic loss for highly
    unbalanced object sizes", MICCAI 2018); E over present classes and over valid pixels."""
    dice_term = present_class_mean(batch, per_image, lambda s, *_: (-math.log(dice_coefficient(s, 1.0))) ** gamma)
    g = [counts(batch, c, None)["g"] for c in range(batch.k)]

    def ce(pixel):
        y = batch.label(pixel)
        return math.sqrt(sum(g) / g[y]) * (-math.log(batch.probs(pixel)[y])) ** gamma

    return dice_weight * dice_term + ce_weight * weighted_pixel_mean(batch, ce)


# --- combinations ---------------------------------------------------------------------------------


def weighted_terms(
    batch: Batch,
    ce_weight: float = 0.0,
    dice_weight: float = 0.0,
    focal_weight: float = 0.0,
    gamma: float = 2.0,
    alpha: float = 1.0,
    bce_weight: float | None = None,
) -> float:
    """w_ce L_CE + w_dice L_Dice + w_focal L_Focal (Swastika, "Comparative analysis of loss functions for
    semantic segmentation: an empirical study on Cityscapes dataset", 2025, Eq. 1 and Table I), with
    L_Dice at s = 1e-5."""
    ce_weight = ce_weight if bce_weight is None else bce_weight
    total = 0.0
    if ce_weight:
        total += ce_weight * cross_entropy(batch)
    if dice_weight:
        total += dice_weight * dice(batch, 1e-5)
    if focal_weight:
        total += focal_weight * focal(batch, gamma, alpha)
    return total


def focal_plus_tversky(
    batch: Batch,
    focal_weight: float,
    tversky_weight: float,
    focal_gamma: float,
    focal_alpha: float,
    tversky_alpha: float,
    tversky_beta: float,
    smooth: float,
    per_image: bool = False,
) -> float:
    """w_f FL + w_t (1 - T): the weighted sum of Lin et al. 2017's focal loss and Salehi et al. 2017's
    Tversky loss (the "Focal + Tversky combination" of the SemanticSeg4EO documentation)."""
    return focal_weight * focal(batch, focal_gamma, focal_alpha) + tversky_weight * tversky(
        batch, tversky_alpha, tversky_beta, smooth, per_image
    )


def product(batch: Batch) -> float:
    """L_Dice · L_CE (Yokoi & Hotta, "Multiplicative loss for enhancing semantic segmentation in medical
    and cellular images", ICCV Workshops 2025)."""
    return dice(batch, 1e-5) * cross_entropy(batch)


def taghanaki_combo(batch: Batch, alpha: float, beta: float) -> float:
    """α L_wCE + (1 - α)(1 - Dice), L_wCE = -mean_i mean_c [β g log p + (1 - β)(1 - g) log(1 - p)]
    (Taghanaki et al., "Combo loss: handling input and output imbalance in multi-organ segmentation",
    CMIG 2019; 1 - Dice instead of -Dice), Dice with s = 1; binary: c = the foreground."""

    def wce(pixel):
        p, y = batch.probs(pixel), batch.label(pixel)
        classes = batch.scored()
        terms = [beta * (c == y) * math.log(p[c]) + (1.0 - beta) * (c != y) * math.log(1.0 - p[c]) for c in classes]
        return -sum(terms) / len(classes)

    return alpha * weighted_pixel_mean(batch, wce) + (1.0 - alpha) * dice(batch, 1.0)


def unified_focal(
    batch: Batch, weight: float, delta: float, gamma: float, smooth: float, per_image=False, symmetric=False
) -> float:
    """λ L_mFT + (1 - λ) L_mF (Yeung, Sala, Schönlieb & Rundo, "Unified focal loss: generalising Dice and
    cross entropy-based losses to handle class imbalanced medical image segmentation", CMIG 2022):
    L_mF = mean_i δ_{y_i} m_i (-log p_{i,y_i}), δ_0 = 1 - δ, δ_c = δ, m_i = (1 - p)^γ (asymmetric: on
    background pixels only); L_mFT = mean_c (1 - mTI_c)^(1-γ), mTI = (TP + s)/(TP + δ FN + (1 - δ) FP
    + s) (asymmetric: background class without the exponent); class 0 is the background."""

    def modified_focal(pixel):
        y = batch.label(pixel)
        p_t = batch.probs(pixel)[y]
        modulation = (1.0 - p_t) ** gamma if (symmetric or y == 0) else 1.0
        return (1.0 - delta if y == 0 else delta) * modulation * -math.log(p_t)

    def focal_tversky_term(s, cls, _):
        fp, fn = s["p"] - s["tp"], s["g"] - s["tp"]
        loss = 1.0 - (s["tp"] + smooth) / (s["tp"] + delta * fn + (1.0 - delta) * fp + smooth)
        return loss if (cls == 0 and not symmetric) else loss ** (1.0 - gamma)

    ft = present_class_mean(batch, per_image, focal_tversky_term, classes=range(batch.k))
    return weight * ft + (1.0 - weight) * weighted_pixel_mean(batch, modified_focal)


# --- Lovász ---------------------------------------------------------------------------------------


def lovasz_extension(errors: list[float], truth: list[bool]) -> float:
    """Σ_k e_(k) (Δ(S_k) - Δ(S_{k-1})) with the errors sorted in decreasing order, S_k the first k pixels
    and Δ(S) = |S| / |G ∪ S| the Jaccard loss of getting S wrong (Berman, Rannen Triki & Blaschko, "The
    Lovász-softmax loss", CVPR 2018, the Lovász extension of Δ_J)."""
    order = sorted(range(len(errors)), key=lambda i: -errors[i])
    ground = {i for i, t in enumerate(truth) if t}
    total, previous, chosen = 0.0, 0.0, set()
    for i in order:
        chosen.add(i)
        current = len(chosen) / len(ground | chosen)
        total += errors[i] * (current - previous)
        previous = current
    return total


def lovasz(batch: Batch, per_image: bool = False) -> float:
    """Hinge (binary): errors max(0, 1 - z s), s = ±1; softmax: per class in the labels, errors
    |g - p|, class-weighted mean; ``per_image``: the mean of the images' values."""
    values = []
    for image in batch.units(per_image):
        pixels = batch.pixels(image)
        if batch.binary:
            truth = [batch.label(px) == 1 for px in pixels]
            errors = [
                max(0.0, 1.0 - float(batch.logits[px[0], 0, px[1], px[2]]) * (1 if t else -1))
                for px, t in zip(pixels, truth)
            ]
            values.append(lovasz_extension(errors, truth) if pixels else 0.0)
            continue
        total = weights = 0.0
        for cls in sorted({batch.label(px) for px in pixels}):
            truth = [batch.label(px) == cls for px in pixels]
            errors = [abs(float(t) - batch.probs(px)[cls]) for px, t in zip(pixels, truth)]
            total += batch.weight(cls) * lovasz_extension(errors, truth)
            weights += batch.weight(cls)
        values.append(total / weights if weights else 0.0)
    return sum(values) / len(values)


# --- distance-map and skeleton losses ------------------------------------------------------------


def mask_of(batch: Batch, image: int, cls: int) -> np.ndarray:
    """The target mask of a class in one image (ignored pixels: outside)."""
    return (batch.target[image] == cls) & (batch.target[image] != IGNORE)


def edt(mask: np.ndarray) -> np.ndarray:
    """Brute-force Euclidean distance of each pixel of ``mask`` to the nearest pixel outside it (0 outside)."""
    outside = list(zip(*np.nonzero(~mask)))
    out = np.zeros(mask.shape)
    for pixel in zip(*np.nonzero(mask)):
        out[pixel] = min(distance(pixel, o) for o in outside)
    return out


def signed_distance(mask: np.ndarray) -> np.ndarray:
    """Kervadec's φ = edt(outside)·outside - (edt(inside) - 1)·inside; 0 for an empty or full mask."""
    if not mask.any() or mask.all():
        return np.zeros(mask.shape)
    return edt(~mask) * ~mask - (edt(mask) - 1.0) * mask


def boundary(batch: Batch, boundary_weight: float, smooth: float, per_image: bool = False) -> float:
    """(1 - w) L_Dice + w L_B with L_B(n, c) = Σ_i φ p / Σ_i |φ| (Kervadec, Bouchtiba, Desrosiers, Granger,
    Dolz & Ben Ayed, "Boundary loss for highly unbalanced segmentation", MIDL 2019: L_B = ∫ φ_G s_θ;
    normalised per image and class as documented), over (image, class) pairs with a boundary."""
    total = weights = 0.0
    for image in range(batch.n):
        for cls in batch.scored():
            phi = signed_distance(mask_of(batch, image, cls))
            norm = sum(abs(phi[r, c]) for (_, r, c) in batch.pixels(image))
            if norm > 0:
                value = sum(phi[r, c] * batch.probs((image, r, c))[cls] for (_, r, c) in batch.pixels(image))
                total += batch.weight(cls) * value / norm
                weights += batch.weight(cls)
    term = total / weights if weights else 0.0
    return (1.0 - boundary_weight) * dice(batch, smooth, per_image) + boundary_weight * term


def distance_field(mask: np.ndarray) -> np.ndarray:
    """edt(inside) + edt(outside), 0 for an empty or full mask."""
    if not mask.any() or mask.all():
        return np.zeros(mask.shape)
    return edt(mask) + edt(~mask)


def hausdorff_dt(batch: Batch, alpha: float) -> float:
    """mean_{n,c} mean_i (p - g)² (d_G^α + d_P^α), d_P from the prediction p > 0.5 (Karimi & Salcudean,
    "Reducing the Hausdorff distance in medical image segmentation with convolutional neural
    networks", IEEE TMI 2020, the distance-transform loss), every image and scored class."""
    total = weights = 0.0
    h, w = batch.target.shape[1:]
    for image in range(batch.n):
        pixels = batch.pixels(image)
        for cls in batch.scored():
            predicted = np.zeros((h, w), dtype=bool)
            for _, r, c in pixels:
                predicted[r, c] = batch.probs((image, r, c))[cls] > 0.5
            d = distance_field(mask_of(batch, image, cls)) ** alpha + distance_field(predicted) ** alpha
            value = sum(
                (batch.probs((image, r, c))[cls] - float(batch.target[image, r, c] == cls)) ** 2 * d[r, c]
                for _, r, c in pixels
            )
            total += batch.weight(cls) * value / max(len(pixels), 1)
            weights += batch.weight(cls)
    return total / weights


def _filter(img: np.ndarray, offsets, reduce) -> np.ndarray:
    h, w = img.shape
    out = np.empty_like(img)
    for r in range(h):
        for c in range(w):
            out[r, c] = reduce(img[r + dr, c + dc] for dr, dc in offsets if 0 <= r + dr < h and 0 <= c + dc < w)
    return out


def soft_erode(img: np.ndarray) -> np.ndarray:
    """min of the vertical and horizontal 3-pixel minima (Shit et al., Algorithm 1, soft-erode)."""
    vertical = _filter(img, ((-1, 0), (0, 0), (1, 0)), min)
    horizontal = _filter(img, ((0, -1), (0, 0), (0, 1)), min)
    return np.minimum(vertical, horizontal)


def soft_open(img: np.ndarray) -> np.ndarray:
    return _filter(soft_erode(img), [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)], max)


def soft_skeleton(img: np.ndarray, iterations: int) -> np.ndarray:
    """Shit et al.'s soft-skeleton (Algorithm 1)."""
    relu = lambda a: np.maximum(a, 0.0)  # noqa: E731
    skeleton = relu(img - soft_open(img))
    for _ in range(iterations):
        img = soft_erode(img)
        delta = relu(img - soft_open(img))
        skeleton = skeleton + relu(delta - skeleton * delta)
    return skeleton


def cldice(batch: Batch, alpha: float, iterations: int) -> float:
    """(1 - α)(1 - D) + α (1 - clDice) per foreground class, clDice = 2 Tprec Tsens / (Tprec + Tsens),
    Tprec = (Σ S_P G + 1)/(Σ S_P + 1), Tsens = (Σ S_G P + 1)/(Σ S_G + 1) (Shit, Paetzold, Sekuboyina,
    Ezhov, Unger, Zhylka, Pluim, Bauer & Menze, "clDice – a novel topology-preserving loss function for
    tubular structure segmentation", CVPR 2021), sums over the batch, ignored pixels 0 in P and G."""
    total = weights = 0.0
    h, w = batch.target.shape[1:]
    for cls in range(1, batch.k):
        sums = dict.fromkeys(("spg", "sp", "sgp", "sg", "pg", "p", "g"), 0.0)
        for image in range(batch.n):
            g = mask_of(batch, image, cls).astype(float)
            p = np.zeros((h, w))
            for _, r, c in batch.pixels(image):
                p[r, c] = batch.probs((image, r, c))[cls]
            sp, sg = soft_skeleton(p, iterations), soft_skeleton(g, iterations)
            for key, value in (("spg", sp * g), ("sp", sp), ("sgp", sg * p), ("sg", sg), ("pg", p * g), ("p", p)):
                sums[key] += value.sum()
            sums["g"] += g.sum()
        if sums["g"] > 0:
            tprec = (sums["spg"] + 1.0) / (sums["sp"] + 1.0)
            tsens = (sums["sgp"] + 1.0) / (sums["sg"] + 1.0)
            cl = 2.0 * tprec * tsens / (tprec + tsens)
            d = (2.0 * sums["pg"] + 1.0) / (sums["p"] + sums["g"] + 1.0)
            total += batch.weight(cls) * ((1.0 - alpha) * (1.0 - d) + alpha * (1.0 - cl))
            weights += batch.weight(cls)
    return total / weights if weights else 0.0


# family -> reference; the functions take the catalog's parameters by name
FAMILIES = {
    "cross_entropy": cross_entropy,
    "topk_ce": topk_ce,
    "distance_ce": distance_ce,
    "focal": focal,
    "dual_focal": dual_focal,
    "dice": dice,
    "log_cosh_dice": log_cosh_dice,
    "generalized_dice": generalized_dice,
    "tversky": lambda batch, gamma=1.0, **kw: focal_tversky(batch, gamma=gamma, **kw),
    "focal_plus_tversky": focal_plus_tversky,
    "jaccard": jaccard,
    "lovasz": lovasz,
    "sensitivity_specificity": sensitivity_specificity,
    "exp_log": exp_log,
    "mcc": mcc,
    "weighted_terms": weighted_terms,
    "product": product,
    "taghanaki_combo": taghanaki_combo,
    "unified_focal": lambda batch, **kw: unified_focal(batch, symmetric=False, **kw),
    "symmetric_unified_focal": lambda batch, **kw: unified_focal(batch, symmetric=True, **kw),
    "boundary": boundary,
    "hausdorff_dt": hausdorff_dt,
    "cldice": cldice,
}

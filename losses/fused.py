"""Multiclass CE, Dice and Focal terms in one pass: one softmax, closed-form gradients.

Autograd through log-softmax, exp, gathers and the Dice sums keeps several ``(N, C, H, W)``
tensors; this function keeps one (the softmax) and computes the gradient in closed form.
With p the softmax, y_i the label, w_i the pixel weight (class weight, 0 if ignored), W = Σ w_i:

- CE and Focal have gradients ``s_i (p_ik - [k = y_i])`` with ``s_i = w_i / W`` for CE and
  ``s_i = α w_i / W [(1 - p_t)^γ - γ p_t (1 - p_t)^γ log p_t / (1 - p_t)]`` for Focal (p_t = p_{i,y_i}).
- Dice ``L = Σ_c m_c (1 - D_c) / M`` with ``D_c = (2 T_c + s) / (P_c + G_c + s)`` gives
  ``∂L/∂p_ic = a_c [y_i = c] + b_c`` with ``a_c = -2 m_c / (M den_c)`` and
  ``b_c = m_c (2 T_c + s) / (M den_c²)``; through the softmax,
  ``∂L/∂z_ik = p_ik (b_k - r_i) + [k = y_i] a_k p_ik``, ``r_i = a_{y_i} p_{i,y_i} + Σ_c b_c p_ic``.

The function returns the three terms ``[ce, dice, focal]`` so that any combination of them (a
weighted sum, a product) gets these gradients through ordinary autograd on three scalars.
"""

from __future__ import annotations

import torch

from .base import EPS, safe_pow

TINY = 1e-30  # below this a true-class probability is recomputed as z_y - logsumexp(z)


def _true_log_probs(logits: torch.Tensor, target: torch.Tensor, p_true: torch.Tensor, valid: torch.Tensor):
    log_p = torch.log(p_true.clamp_min(TINY))
    small = valid & (p_true < TINY)
    if small.any():  # underflowed probabilities: exact log-softmax for those pixels only
        z = logits.permute(0, 2, 3, 1)[small]
        z_true = logits.gather(1, target.unsqueeze(1)).squeeze(1)[small]
        log_p[small] = z_true - torch.logsumexp(z, dim=1)
    return torch.where(valid, log_p, torch.zeros_like(log_p))


class FusedTerms(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target, valid, class_weights, gamma: float, alpha: float, smooth: float):
        num_classes = logits.shape[1]
        probs = torch.softmax(logits, dim=1)
        if not bool(valid.all()):
            probs.mul_(valid.unsqueeze(1))
        p_true = probs.gather(1, target.unsqueeze(1)).squeeze(1)
        log_p = _true_log_probs(logits, target, p_true, valid)
        weights = valid.to(logits.dtype)
        if class_weights is not None:
            weights = weights * class_weights[target]
        total_weight = weights.sum().clamp_min(EPS)
        ce = -(log_p * weights).sum() / total_weight
        modulation = safe_pow(1.0 - p_true, gamma) if gamma else torch.ones_like(p_true)
        focal = -alpha * (modulation * log_p * weights).sum() / total_weight
        labels = target.reshape(-1)  # ignored pixels carry label 0 and probability 0: no compaction needed
        tp = probs.new_zeros(num_classes).index_add_(0, labels, p_true.reshape(-1))
        actual = torch.bincount(labels, weights=valid.reshape(-1).to(logits.dtype), minlength=num_classes)
        predicted = probs.sum(dim=(0, 2, 3))
        denominator = predicted + actual + smooth
        dice_c = (2.0 * tp + smooth) / denominator
        class_mask = (actual > 0).to(logits.dtype)
        if class_weights is not None:
            class_mask = class_mask * class_weights
        mask_total = class_mask.sum().clamp_min(EPS)
        dice = (class_mask * (1.0 - dice_c)).sum() / mask_total
        ctx.save_for_backward(probs, p_true, log_p, target, weights, modulation, tp, denominator, class_mask)
        ctx.constants = (gamma, alpha, smooth, total_weight, mask_total)
        return torch.stack([ce, dice, focal])

    @staticmethod
    def backward(ctx, grad_terms):
        probs, p_true, log_p, target, weights, modulation, tp, denominator, class_mask = ctx.saved_tensors
        gamma, alpha, smooth, total_weight, mask_total = ctx.constants
        g_ce, g_dice, g_focal = grad_terms
        one_minus = 1.0 - p_true
        ratio = torch.where(one_minus > EPS, log_p / one_minus.clamp_min(EPS), -torch.ones_like(log_p))
        # d(1 - p)^γ/dp = -power (1 - p)^γ / (1 - p); below EPS a fractional power is continued linearly (safe_pow)
        power = gamma if gamma >= 1 else torch.where(one_minus > EPS, gamma, 1.0)
        focal_coefficient = alpha * (modulation - power * p_true * modulation * ratio) if gamma else alpha
        s = (g_ce + g_focal * focal_coefficient) * weights / total_weight
        a = -2.0 * g_dice * class_mask / (mask_total * denominator)
        b = g_dice * class_mask * (2.0 * tp + smooth) / (mask_total * denominator**2)
        a_true_p = a[target] * p_true
        n, c = probs.shape[:2]
        r = torch.matmul(b.view(1, 1, c), probs.view(n, c, -1)).view_as(p_true) + a_true_p
        grad = b.view(1, -1, 1, 1) + (s - r).unsqueeze(1)
        grad.mul_(probs)
        grad.scatter_add_(1, target.unsqueeze(1), (a_true_p - s).unsqueeze(1))
        return grad, None, None, None, None, None, None

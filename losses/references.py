"""Human citations of the works the losses implement, keyed like ``docs/references.md`` (standard library only).

Each key is the heading (``### key``) of its section in ``docs/references.md``, which also holds the
BibTeX entry; ``tests/losses/test_catalog.py`` checks that both agree.
"""

from __future__ import annotations

CITATIONS: dict[str, str] = {
    "abhishek2021": (
        "Abhishek & Hamarneh (2021), Matthews correlation coefficient loss for deep convolutional networks: "
        "application to skin lesion segmentation, IEEE ISBI 2021"
    ),
    "abraham2019": (
        "Abraham & Khan (2019), A novel focal Tversky loss function with improved attention U-Net for lesion "
        "segmentation, IEEE ISBI 2019"
    ),
    "berman2018": (
        "Berman, Rannen Triki & Blaschko (2018), The Lovász-softmax loss: a tractable surrogate for the "
        "optimization of the intersection-over-union measure in neural networks, CVPR 2018"
    ),
    "brosch2015": (
        "Brosch, Yoo, Tang, Li, Traboulsee & Tam (2015), Deep convolutional encoder networks for multiple "
        "sclerosis lesion segmentation, MICCAI 2015"
    ),
    "caliva2019": (
        "Caliva, Iriondo, Martinez, Majumdar & Pedoia (2019), Distance map loss penalty term for semantic "
        "segmentation, MIDL 2019 (extended abstract)"
    ),
    "hossain2021": (
        "Hossain, Paplinski & Betts (2021), Dual focal loss to address class imbalance in semantic segmentation, "
        "Neurocomputing 462"
    ),
    "jadon2020": "Jadon (2020), A survey of loss functions for semantic segmentation, IEEE CIBCB 2020",
    "karimi2020": (
        "Karimi & Salcudean (2020), Reducing the Hausdorff distance in medical image segmentation with "
        "convolutional neural networks, IEEE Transactions on Medical Imaging 39(2)"
    ),
    "kervadec2019": (
        "Kervadec, Bouchtiba, Desrosiers, Granger, Dolz & Ben Ayed (2019), Boundary loss for highly unbalanced "
        "segmentation, MIDL 2019"
    ),
    "lin2017": "Lin, Goyal, Girshick, He & Dollár (2017), Focal loss for dense object detection, ICCV 2017",
    "long2015": "Long, Shelhamer & Darrell (2015), Fully convolutional networks for semantic segmentation, CVPR 2015",
    "milletari2016": (
        "Milletari, Navab & Ahmadi (2016), V-Net: fully convolutional neural networks for volumetric medical "
        "image segmentation, 3DV 2016"
    ),
    "rahman2016": (
        "Rahman & Wang (2016), Optimizing intersection-over-union in deep neural networks for image "
        "segmentation, ISVC 2016"
    ),
    "salehi2017": (
        "Salehi, Erdogmus & Gholipour (2017), Tversky loss function for image segmentation using 3D fully "
        "convolutional deep networks, MLMI 2017"
    ),
    "semanticseg4eo": "SemanticSeg4EO plugin documentation, Loss Functions settings page",
    "shit2021": (
        "Shit, Paetzold, Sekuboyina, Ezhov, Unger, Zhylka, Pluim, Bauer & Menze (2021), clDice – a novel "
        "topology-preserving loss function for tubular structure segmentation, CVPR 2021"
    ),
    "sudre2017": (
        "Sudre, Li, Vercauteren, Ourselin & Cardoso (2017), Generalised Dice overlap as a deep learning loss "
        "function for highly unbalanced segmentations, DLMIA 2017"
    ),
    "swastika2025": (
        "Swastika (2025), Comparative analysis of loss functions for semantic segmentation: an empirical study "
        "on Cityscapes dataset"
    ),
    "taghanaki2019": (
        "Taghanaki, Zheng, Zhou, Georgescu, Sharma, Xu, Comaniciu & Hamarneh (2019), Combo loss: handling input "
        "and output imbalance in multi-organ segmentation, Computerized Medical Imaging and Graphics 75"
    ),
    "wong2018": (
        "Wong, Moradi, Tang & Syeda-Mahmood (2018), 3D segmentation with exponential logarithmic loss for highly "
        "unbalanced object sizes, MICCAI 2018"
    ),
    "wu2016": (
        "Wu, Shen & van den Hengel (2016), Bridging category-level and instance-level semantic image "
        "segmentation, arXiv:1605.06885"
    ),
    "yeung2022": (
        "Yeung, Sala, Schönlieb & Rundo (2022), Unified focal loss: generalising Dice and cross entropy-based "
        "losses to handle class imbalanced medical image segmentation, Computerized Medical Imaging and "
        "Graphics 95"
    ),
    "yokoi2025": (
        "Yokoi & Hotta (2025), Multiplicative loss for enhancing semantic segmentation in medical and cellular "
        "images, ICCV Workshops 2025"
    ),
}


def citation(keys: tuple[str, ...]) -> str:
    """The human citations of ``keys``, joined by "; "."""
    return "; ".join(CITATIONS[key] for key in keys)

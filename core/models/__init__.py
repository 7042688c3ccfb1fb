"""Stage 2, models: the networks (segmentation-models-pytorch, Attention U-Net), a model folder on
disk and the training checkpoint."""

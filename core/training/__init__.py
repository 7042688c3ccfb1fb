"""Stage 3, training: the training loop (and its dry run) and the metrics it reports."""

"""Names of the files a run writes, shared by the worker and the QGIS side (standard library only)."""

WEIGHTS_FILE = "model.safetensors"
METADATA_FILE = "model.json"  # what a model folder is recognised by
METRICS_FILE, METRICS_TABLE = "metrics.json", "metrics.csv"  # the run's per-epoch history, beside the model
RUN_FILE = "run.json"  # a training run's settings (TrainConfig), as the dock and Processing hand them over
COMPARE_FILE = "compare.json"  # a loss comparison's settings (CompareConfig)
PREDICT_FILE = "predict.json"  # a prediction's settings (PredictConfig)
WEIGHTS_CACHE_VARIABLE = "SEGMENTATION_TRAINER_WEIGHTS"  # the folder of downloaded encoder weights (the plugin sets it)

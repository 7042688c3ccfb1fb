"""Exporting a trained model for other tools: one ONNX file that the Deepness QGIS plugin and ONNX Runtime run
(``onnx_export.py``), the model's normalization folded into it (``graph.py``), with the metadata Deepness reads
(``deepness.py``) and the file's conventions, shared with prediction from ONNX (``onnx_file.py``)."""

"""Accuracy assessment of a class raster against independent reference data, and the stratified random sample
of points to collect that reference with.

- ``reference.py``: the reference (points, polygons or a class raster) read on the map's grid, classes matched
  by value or by name, tallied into an error matrix of counts beside the map's pixel count per class;
- ``agreement.py``: the figures of the counts themselves (overall accuracy, Cohen's kappa, user's and producer's
  accuracy, F1, IoU);
- ``stratified.py``: Olofsson et al. (2014)'s estimators, weighting the counts by the map's class areas: accuracies
  and class areas with 95 % confidence intervals;
- ``sample_size.py`` and ``sampling.py``: the sample's size from a target standard error, its allocation to the
  map's classes and the drawing of the points;
- ``report.py`` and ``runner.py``: the files written (CSV, JSON, HTML with a picture) and the worker commands.
"""

"""One-off helper kept for maintainers: fill i18n/segmentation_trainer_fr.ts from FRENCH below.

Usage: python scripts/fill_translation.py i18n/segmentation_trainer_fr.ts
Sources missing from FRENCH are listed and left unfinished, so `make translations` followed by
this script shows what still needs a translation.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

FRENCH = {
    "Segmentation Trainer": "Segmentation Trainer",
    "&Segmentation Trainer": "&Segmentation Trainer",
    "Train a segmentation model on map layers and predict": "Entraîner un modèle de segmentation sur les couches de la carte et prédire",
    "Choose a raster layer and a label layer first.": "Choisissez d'abord une couche raster et une couche d'étiquettes.",
    "Training into {0}": "Entraînement dans {0}",
    "Segmentation Trainer: training": "Segmentation Trainer : entraînement",
    "Choose a raster layer and a model folder first.": "Choisissez d'abord une couche raster et un dossier de modèle.",
    "Segmentation Trainer: prediction": "Segmentation Trainer : prédiction",
    "Cancelling…": "Annulation…",
    "Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}": "Époque {0}/{1} : perte d'entraînement {2:.4f}, mIoU de validation {3}",
    "Cancelled.": "Annulé.",
    "Training finished: best validation mIoU {0}. Model in {1}": "Entraînement terminé : meilleur mIoU de validation {0}. Modèle dans {1}",
    "Prediction added as layer {0}.": "Prédiction ajoutée comme couche {0}.",
    "Binary": "Binaire",
    "Multiclass": "Multiclasse",
    "Suits: {0}": "Convient à : {0}",
    "Data": "Données",
    "Raster": "Raster",
    "The image to train on: a file-backed raster layer with one or more bands.": "L'image d'entraînement : une couche raster enregistrée dans un fichier, à une ou plusieurs bandes.",
    "Labels": "Étiquettes",
    "Polygons with a class field, or a class raster. Labels in another CRS are reprojected.": "Polygones avec un champ de classe, ou raster de classes. Les étiquettes dans un autre SCR sont reprojetées.",
    "Class field": "Champ de classe",
    "The field holding each polygon's class (integer or text). In binary mode it may stay empty: every polygon is foreground.": "Le champ qui contient la classe de chaque polygone (entier ou texte). En mode binaire il peut rester vide : chaque polygone est un objet.",
    "Training": "Entraînement",
    "Mode": "Mode",
    "Loss": "Perte",
    "Epochs": "Époques",
    "Tile size (px)": "Taille des tuiles (px)",
    "Model folder": "Dossier du modèle",
    "Where the trained model is written. Empty: a new folder beside the project.": "Où le modèle entraîné est écrit. Vide : un nouveau dossier à côté du projet.",
    "Train": "Entraîner",
    "Prediction": "Prédiction",
    "A model folder written by a training run (model.json and model.safetensors).": "Un dossier de modèle écrit par un entraînement (model.json et model.safetensors).",
    "Predict on canvas extent": "Prédire sur l'emprise de la carte",
    "Cancel": "Annuler",
    "Cannot start the worker with {0}: {1}. Set the worker's Python in the plugin settings.": "Impossible de démarrer le processus de calcul avec {0} : {1}. Indiquez son Python dans les paramètres de l'extension.",
    "The worker stopped unexpectedly (exit code {0}). Its last output:\n{1}": "Le processus de calcul s'est arrêté de façon inattendue (code de sortie {0}). Ses dernières lignes :\n{1}",
    "Extent": "Emprise",
    "Where to predict: the map canvas's current extent or the whole raster layer.": "Où prédire : l'emprise actuelle de la carte ou toute la couche raster.",
    "Inside polygons": "Dans les polygones",
    "Optional: predict only inside these polygons; pixels outside are nodata.": "Facultatif : prédire seulement dans ces polygones ; les pixels hors polygones sont sans donnée.",
    "Selected features only": "Entités sélectionnées uniquement",
    "Predict": "Prédire",
    "Map canvas extent": "Emprise de la carte",
    "Raster layer extent": "Emprise de la couche raster",
    "No feature of '{0}' is selected: select the polygons to predict in, or untick 'Selected features only'.": "Aucune entité de « {0} » n'est sélectionnée : sélectionnez les polygones où prédire, ou décochez « Entités sélectionnées uniquement ».",
    "Cannot copy the polygons of '{0}': {1}": "Impossible de copier les polygones de « {0} » : {1}",
    "Area per class (ha): {0}": "Surface par classe (ha) : {0}",
    "{0} confidence": "{0} confiance",
    "The prediction {0} could not be opened as a raster layer.": "La prédiction {0} n'a pas pu être ouverte comme couche raster.",
    "The layer '{0}' is not a local file ({1} layer): save it to a GeoTIFF or GeoPackage first (right-click > Export > Save As) and use the saved layer.": "La couche « {0} » n'est pas un fichier local (couche {1}) : enregistrez-la d'abord en GeoTIFF ou GeoPackage (clic droit > Exporter > Sauvegarder sous) et utilisez la couche enregistrée.",
}


def fill(path: str) -> list[str]:
    tree = ET.parse(path)
    missing = []
    for message in tree.getroot().iter("message"):
        source = message.findtext("source")
        translation = message.find("translation")
        if source in FRENCH:
            translation.text = FRENCH[source]
            translation.attrib.pop("type", None)
        else:
            missing.append(source)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return missing


if __name__ == "__main__":
    for source in fill(sys.argv[1]):
        print(f"untranslated: {source!r}")

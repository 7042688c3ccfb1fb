<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1">
<context>
    <name>SegmentationTrainerPlugin</name>
    <message>
        <location filename="../plugin.py" line="26" />
        <source>Segmentation Trainer</source>
        <translation>Segmentation Trainer</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="30" />
        <source>Train a segmentation model on map layers and predict</source>
        <translation>Entraîner un modèle de segmentation sur les couches de la carte et prédire</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="41" />
        <source>&amp;Segmentation Trainer</source>
        <translation>&amp;Segmentation Trainer</translation>
    </message>
</context>
<context>
    <name>TrainerDock</name>
    <message>
        <location filename="../ui/dock.py" line="88" />
        <source>Choose a raster layer and a label layer first.</source>
        <translation>Choisissez d'abord une couche raster et une couche d'étiquettes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="116" />
        <source>Training into {0}</source>
        <translation>Entraînement dans {0}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="117" />
        <source>Segmentation Trainer: training</source>
        <translation>Segmentation Trainer : entraînement</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="127" />
        <source>Choose a raster layer and a model folder first.</source>
        <translation>Choisissez d'abord une couche raster et un dossier de modèle.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="148" />
        <source>Segmentation Trainer: prediction</source>
        <translation>Segmentation Trainer : prédiction</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="160" />
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="173" />
        <source>Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}</source>
        <translation>Époque {0}/{1} : perte d'entraînement {2:.4f}, mIoU de validation {3}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="187" />
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="203" />
        <source>Training finished: best validation mIoU {0}. Model in {1}</source>
        <translation>Entraînement terminé : meilleur mIoU de validation {0}. Modèle dans {1}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="224" />
        <source>Prediction added as layer {0}.</source>
        <translation>Prédiction ajoutée comme couche {0}.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="6" />
        <source>Segmentation Trainer</source>
        <translation>Segmentation Trainer</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="13" />
        <source>Data</source>
        <translation>Données</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="19" />
        <source>Raster</source>
        <translation>Raster</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="26" />
        <source>The image to train on: a file-backed raster layer with one or more bands.</source>
        <translation>L'image d'entraînement : une couche raster enregistrée dans un fichier, à une ou plusieurs bandes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="33" />
        <source>Labels</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="40" />
        <source>Polygons with a class field, or a class raster. Labels in another CRS are reprojected.</source>
        <translation>Polygones avec un champ de classe, ou raster de classes. Les étiquettes dans un autre SCR sont reprojetées.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="47" />
        <source>Class field</source>
        <translation>Champ de classe</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="54" />
        <source>The field holding each polygon's class (integer or text). In binary mode it may stay empty: every polygon is foreground.</source>
        <translation>Le champ qui contient la classe de chaque polygone (entier ou texte). En mode binaire il peut rester vide : chaque polygone est un objet.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="64" />
        <source>Training</source>
        <translation>Entraînement</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="70" />
        <source>Mode</source>
        <translation>Mode</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="80" />
        <source>Loss</source>
        <translation>Perte</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="90" />
        <source>Epochs</source>
        <translation>Époques</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="107" />
        <source>Tile size (px)</source>
        <translation>Taille des tuiles (px)</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="157" />
        <source>Model folder</source>
        <translation>Dossier du modèle</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="134" />
        <source>Where the trained model is written. Empty: a new folder beside the project.</source>
        <translation>Où le modèle entraîné est écrit. Vide : un nouveau dossier à côté du projet.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="141" />
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="151" />
        <source>Prediction</source>
        <translation>Prédiction</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="164" />
        <source>A model folder written by a training run (model.json and model.safetensors).</source>
        <translation>Un dossier de modèle écrit par un entraînement (model.json et model.safetensors).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="228" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="38" />
        <source>Binary</source>
        <translation>Binaire</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="38" />
        <source>Multiclass</source>
        <translation>Multiclasse</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="66" />
        <source>Suits: {0}</source>
        <translation>Convient à : {0}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="219" />
        <source>Area per class (ha): {0}</source>
        <translation>Surface par classe (ha) : {0}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="46" />
        <source>Map canvas extent</source>
        <translation>Emprise de la carte</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="47" />
        <source>Raster layer extent</source>
        <translation>Emprise de la couche raster</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="171" />
        <source>Extent</source>
        <translation>Emprise</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="178" />
        <source>Where to predict: the map canvas's current extent or the whole raster layer.</source>
        <translation>Où prédire : l'emprise actuelle de la carte ou toute la couche raster.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="185" />
        <source>Inside polygons</source>
        <translation>Dans les polygones</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="192" />
        <source>Optional: predict only inside these polygons; pixels outside are nodata.</source>
        <translation>Facultatif : prédire seulement dans ces polygones ; les pixels hors polygones sont sans donnée.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="199" />
        <source>Selected features only</source>
        <translation>Entités sélectionnées uniquement</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="206" />
        <source>Predict</source>
        <translation>Prédire</translation>
    </message>
</context>
<context>
    <name>WorkerTask</name>
    <message>
        <location filename="../tasks/worker.py" line="70" />
        <source>Cannot start the worker with {0}: {1}. Set the worker's Python in the plugin settings.</source>
        <translation>Impossible de démarrer le processus de calcul avec {0} : {1}. Indiquez son Python dans les paramètres de l'extension.</translation>
    </message>
    <message>
        <location filename="../tasks/worker.py" line="97" />
        <source>The worker stopped unexpectedly (exit code {0}). Its last output:
{1}</source>
        <translation>Le processus de calcul s'est arrêté de façon inattendue (code de sortie {0}). Ses dernières lignes :
{1}</translation>
    </message>
</context>
<context>
    <name>layers</name>
    <message>
        <location filename="../tasks/layers.py" line="59" />
        <source>The prediction {0} could not be opened as a raster layer.</source>
        <translation>La prédiction {0} n'a pas pu être ouverte comme couche raster.</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="84" />
        <source>{0} confidence</source>
        <translation>{0} confiance</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="110" />
        <source>Cannot copy the polygons of '{0}': {1}</source>
        <translation>Impossible de copier les polygones de « {0} » : {1}</translation>
    </message>
</context>
</TS>
<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>AssessAlgorithm</name>
    <message>
        <location filename="../provider/assess.py" line="22"/>
        <source>Assess accuracy</source>
        <translation>Évaluer la précision</translation>
    </message>
    <message>
        <location filename="../provider/assess.py" line="25"/>
        <source>Compares a class raster (a prediction) with reference data the model never saw: points or polygons with a class field (values or names), or a class raster, reprojected onto the raster&apos;s grid. Writes the error matrix (CSV), every figure (JSON) and an HTML report: overall accuracy, Cohen&apos;s kappa, user&apos;s and producer&apos;s accuracy, F1 and IoU per class, and, weighted by the mapped class areas (Olofsson et al. 2014), the accuracies and the area of each class with 95 % confidence intervals.</source>
        <translation>Compare un raster de classes (une prédiction) à des données de référence que le modèle n'a jamais vues : points ou polygones avec un champ de classe (valeurs ou noms), ou raster de classes, reprojetés sur la grille du raster. Écrit la matrice de confusion (CSV), tous les chiffres (JSON) et un rapport HTML : précision globale, kappa de Cohen, précision pour l'utilisateur et pour le producteur, F1 et IoU par classe et, pondérées par les surfaces cartographiées des classes (Olofsson et al. 2014), les précisions et la surface de chaque classe avec leurs intervalles de confiance à 95 %.</translation>
    </message>
    <message>
        <location filename="../provider/assess.py" line="36"/>
        <source>Report (HTML)</source>
        <translation>Rapport (HTML)</translation>
    </message>
    <message>
        <location filename="../provider/assess.py" line="37"/>
        <source>Error matrix (CSV)</source>
        <translation>Matrice de confusion (CSV)</translation>
    </message>
    <message>
        <location filename="../provider/assess.py" line="38"/>
        <source>Overall accuracy</source>
        <translation>Précision globale</translation>
    </message>
    <message>
        <location filename="../provider/assess.py" line="39"/>
        <source>Cohen&apos;s kappa</source>
        <translation>Kappa de Cohen</translation>
    </message>
    <message>
        <location filename="../provider/assess.py" line="40"/>
        <source>Overall accuracy weighted by area</source>
        <translation>Précision globale pondérée par les surfaces</translation>
    </message>
</context>
<context>
    <name>AssessmentPanel</name>
    <message>
        <location filename="../ui/assessment_panel.py" line="57"/>
        <source>Choose the class raster to assess first.</source>
        <translation>Choisissez d'abord le raster de classes à évaluer.</translation>
    </message>
    <message>
        <location filename="../ui/assessment_panel.py" line="77"/>
        <source>Choose the reference data: points or polygons with a class field, or a raster.</source>
        <translation>Choisissez les données de référence : points ou polygones avec un champ de classe, ou un raster.</translation>
    </message>
    <message>
        <location filename="../ui/assessment_panel.py" line="96"/>
        <source>Overall accuracy {0:.3f}, kappa {1} ({2} reference units).</source>
        <translation>Précision globale {0:.3f}, kappa {1} ({2} unités de référence).</translation>
    </message>
    <message>
        <location filename="../ui/assessment_panel.py" line="101"/>
        <source>Weighted by the class areas: {0:.3f} ± {1:.3f} (95 %).</source>
        <translation>Pondérée par les surfaces des classes : {0:.3f} ± {1:.3f} (95 %).</translation>
    </message>
</context>
<context>
    <name>ClassTable</name>
    <message>
        <location filename="../ui/class_table.py" line="31"/>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="31"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="31"/>
        <source>Colour</source>
        <translation>Couleur</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="67"/>
        <source>Class table, row {0}: the value {1!r} is not a whole number.</source>
        <translation>Table des classes, ligne {0} : la valeur {1!r} n'est pas un nombre entier.</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="71"/>
        <source>Class table, row {0}: the value {1} must be between 0 and 65534.</source>
        <translation>Table des classes, ligne {0} : la valeur {1} doit être comprise entre 0 et 65534.</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="75"/>
        <source>Class table, row {0}: the value {1} is used twice.</source>
        <translation>Table des classes, ligne {0} : la valeur {1} est utilisée deux fois.</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="104"/>
        <source>Choose a label layer first.</source>
        <translation>Choisissez d'abord une couche d'étiquettes.</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="106"/>
        <source>background</source>
        <translation>fond</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="106"/>
        <source>foreground</source>
        <translation>objet</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="110"/>
        <source>The layer &apos;{0}&apos; has no field &apos;{1}&apos;.</source>
        <translation>La couche « {0} » n'a pas de champ « {1} ».</translation>
    </message>
    <message>
        <location filename="../ui/class_table.py" line="113"/>
        <source>The field &apos;{0}&apos; of &apos;{1}&apos; has no values.</source>
        <translation>Le champ « {0} » de « {1} » n'a aucune valeur.</translation>
    </message>
</context>
<context>
    <name>CompareAlgorithm</name>
    <message>
        <location filename="../provider/compare.py" line="36"/>
        <source>Compare losses</source>
        <translation>Comparer les pertes</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="62"/>
        <source>Report folder</source>
        <translation>Dossier du rapport</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="65"/>
        <source>Report (HTML)</source>
        <translation>Rapport (HTML)</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="66"/>
        <source>Training settings with the best loss (JSON)</source>
        <translation>Réglages d'entraînement avec la meilleure perte (JSON)</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="67"/>
        <source>Best configuration</source>
        <translation>Meilleure configuration</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="39"/>
        <source>Trains the raster and labels RUNS times (seeds) per loss configuration, with identical tiles, split and epochs. The best configuration is chosen on the validation blocks; the verdict is computed on held-out test blocks (TEST_FRACTION of the spatial blocks) that neither training nor the choice used: test mIoU with 95 % intervals that include training variance, differences with Holm-adjusted p-values and the smallest difference the data could detect. The report (HTML, CSV, JSON) also has the study&apos;s tables and per-class IoU. LOSSES lists study presets (equal, ce_dominant, dice_dominant, focal_dominant, ce_only, dice_only, focal_only) and loss names, comma-separated. Finished runs in the report folder are reused.</source>
        <translation>Entraîne le raster et les étiquettes RUNS fois (graines) par configuration de perte, avec les mêmes tuiles, partition et époques. La meilleure configuration est choisie sur les blocs de validation ; le verdict est calculé sur des blocs de test mis de côté (TEST_FRACTION des blocs spatiaux) que ni l'entraînement ni le choix n'ont utilisés : mIoU de test avec des intervalles à 95 % qui incluent la variance d'entraînement, différences avec des p-valeurs ajustées par Holm et la plus petite différence que les données pouvaient détecter. Le rapport (HTML, CSV, JSON) contient aussi les tableaux de l'étude et l'IoU par classe. LOSSES liste des préréglages de l'étude (equal, ce_dominant, dice_dominant, focal_dominant, ce_only, dice_only, focal_only) et des noms de pertes, séparés par des virgules. Les entraînements terminés présents dans le dossier du rapport sont réutilisés.</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="68"/>
        <source>Test mIoU of the best configuration</source>
        <translation>mIoU de test de la meilleure configuration</translation>
    </message>
</context>
<context>
    <name>ComparisonPanel</name>
    <message>
        <location filename="../ui/comparison_panel.py" line="45"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="45"/>
        <source>Loss</source>
        <translation>Perte</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="45"/>
        <source>Parameters</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="47"/>
        <source>Configuration</source>
        <translation>Configuration</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="141"/>
        <source>Tick at least one loss configuration to compare.</source>
        <translation>Cochez au moins une configuration de perte à comparer.</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="47"/>
        <source>Validation mIoU</source>
        <translation>mIoU de validation</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="47"/>
        <source>Test mIoU (95 % interval)</source>
        <translation>mIoU de test (intervalle à 95 %)</translation>
    </message>
    <message>
        <location filename="../ui/comparison_panel.py" line="47"/>
        <source>Holm p vs best</source>
        <translation>p de Holm contre la meilleure</translation>
    </message>
</context>
<context>
    <name>ExportOnnxAlgorithm</name>
    <message>
        <location filename="../provider/export_onnx.py" line="22"/>
        <source>Export to ONNX (Deepness)</source>
        <translation>Exporter en ONNX (Deepness)</translation>
    </message>
    <message>
        <location filename="../provider/export_onnx.py" line="25"/>
        <source>Writes a model folder written by Train model as one ONNX file that the Deepness plugin (and ONNX Runtime, and Predict) runs: its normalization is inside, its input is the raster&apos;s band values divided by 255 as Deepness feeds them, its output the class probabilities. The file carries the metadata Deepness reads: class names, resolution, tile size and overlap. TILE_SIZE is the side of the tiles Deepness cuts; OUTPUT empty writes model.onnx in the model folder.</source>
        <translation>Écrit un dossier de modèle produit par Entraîner un modèle en un seul fichier ONNX que l'extension Deepness (ainsi qu'ONNX Runtime et Prédire) exécute : sa normalisation est incluse, son entrée est la valeur des bandes du raster divisée par 255, comme Deepness la fournit, sa sortie les probabilités des classes. Le fichier porte les métadonnées que lit Deepness : noms des classes, résolution, taille et recouvrement des tuiles. TILE_SIZE est le côté des tuiles que découpe Deepness ; OUTPUT vide écrit model.onnx dans le dossier du modèle.</translation>
    </message>
</context>
<context>
    <name>LossPanel</name>
    <message>
        <location filename="../ui/loss_panel.py" line="52"/>
        <source>Binary</source>
        <translation>Binaire</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="52"/>
        <source>Multiclass</source>
        <translation>Multiclasse</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="58"/>
        <source>custom</source>
        <translation>personnalisé</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="205"/>
        <source>α + β = {0:.2f}. Keep α + β = 1 (α = β = 0.5 is Dice); β &gt; α favours recall.</source>
        <translation>α + β = {0:.2f}. Gardez α + β = 1 (α = β = 0,5 donne Dice) ; β &gt; α favorise le rappel.</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="123"/>
        <source>Suits: {0}</source>
        <translation>Convient à : {0}</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="115"/>
        <source>Reference: {0}</source>
        <translation>Référence : {0}</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="117"/>
        <source>References:</source>
        <translation>Références :</translation>
    </message>
    <message>
        <location filename="../ui/loss_panel.py" line="118"/>
        <source>Identifier: {0}</source>
        <translation>Identifiant : {0}</translation>
    </message>
</context>
<context>
    <name>PredictAlgorithm</name>
    <message>
        <location filename="../provider/predict.py" line="27"/>
        <source>Predict</source>
        <translation>Prédire</translation>
    </message>
    <message>
        <location filename="../provider/predict.py" line="43"/>
        <source>Class polygons</source>
        <translation>Polygones de classes</translation>
    </message>
    <message>
        <location filename="../provider/predict.py" line="40"/>
        <source>Confidence</source>
        <translation>Confiance</translation>
    </message>
    <message>
        <location filename="../provider/predict.py" line="30"/>
        <source>Predicts a class raster with a model folder written by Train model (or the dock): on the whole raster, on an extent, and/or inside polygons (outside is nodata). Overlapping tiles are blended so that no seam shows; test-time augmentation averages flipped or rotated copies of each tile. Optional outputs: a confidence raster, uncertainty rasters (entropy, top-two margin) and class polygons.</source>
        <translation>Prédit un raster de classes avec un dossier de modèle écrit par Entraîner un modèle (ou le panneau) : sur le raster entier, sur une emprise et/ou à l'intérieur de polygones (à l'extérieur : nodata). Les tuiles qui se recouvrent sont fondues pour qu'aucune couture ne se voie ; l'augmentation au moment de la prédiction moyenne des copies retournées ou tournées de chaque tuile. Sorties facultatives : un raster de confiance, des rasters d'incertitude (entropie, écart entre les deux premières classes) et des polygones de classes.</translation>
    </message>
    <message>
        <location filename="../provider/predict.py" line="41"/>
        <source>Normalized entropy</source>
        <translation>Entropie normalisée</translation>
    </message>
    <message>
        <location filename="../provider/predict.py" line="42"/>
        <source>Top-two margin</source>
        <translation>Écart entre les deux premières classes</translation>
    </message>
</context>
<context>
    <name>SampleAlgorithm</name>
    <message>
        <location filename="../provider/sample.py" line="22"/>
        <source>Sample reference points</source>
        <translation>Échantillonner des points de référence</translation>
    </message>
    <message>
        <location filename="../provider/sample.py" line="25"/>
        <source>Draws a stratified random sample of points in a class raster (a prediction), its classes being the strata, for an accuracy assessment. The number of points gives the overall accuracy the target standard error, from the user&apos;s accuracy expected of each class (Olofsson et al. 2014); each class gets at least the minimum, the rest follows the classes&apos; areas. The points have an empty reference field: fill in the true class of each (name or value), then run Assess accuracy with them.</source>
        <translation>Tire un échantillon aléatoire stratifié de points dans un raster de classes (une prédiction), ses classes formant les strates, pour une évaluation de la précision. Le nombre de points donne à la précision globale l'erreur type visée, d'après la précision pour l'utilisateur attendue de chaque classe (Olofsson et al. 2014) ; chaque classe reçoit au moins le minimum, le reste suit les surfaces des classes. Les points ont un champ de référence vide : saisissez la vraie classe de chacun (nom ou valeur), puis lancez Évaluer la précision avec eux.</translation>
    </message>
    <message>
        <location filename="../provider/sample.py" line="36"/>
        <source>Number of points</source>
        <translation>Nombre de points</translation>
    </message>
</context>
<context>
    <name>SegmentationTrainerPlugin</name>
    <message>
        <location filename="../plugin.py" line="37"/>
        <source>Segmentation Trainer</source>
        <translation>Segmentation Trainer</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="41"/>
        <source>Train a segmentation model on map layers and predict</source>
        <translation>Entraîner un modèle de segmentation sur les couches de la carte et prédire</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="53"/>
        <source>&amp;Segmentation Trainer</source>
        <translation>&amp;Segmentation Trainer</translation>
    </message>
</context>
<context>
    <name>SettingsForm</name>
    <message>
        <location filename="../ui/settings_form.py" line="155"/>
        <source>{0}: {1!r} is not JSON ({2}). Write e.g. {3}</source>
        <translation>{0} : {1!r} n'est pas du JSON ({2}). Écrivez par exemple {3}</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <location filename="../ui/setup_dialog.py" line="35"/>
        <source>An NVIDIA GPU was found: PyTorch&apos;s CUDA build will be installed.</source>
        <translation>Un GPU NVIDIA a été trouvé : la version CUDA de PyTorch sera installée.</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="35"/>
        <source>No NVIDIA GPU was found (nvidia-smi): PyTorch&apos;s CPU build will be installed.</source>
        <translation>Aucun GPU NVIDIA trouvé (nvidia-smi) : la version CPU de PyTorch sera installée.</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="72"/>
        <source>Step {0}/{1}: {2}</source>
        <translation>Étape {0}/{1} : {2}</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="86"/>
        <source>Choose a Python executable first.</source>
        <translation>Choisissez d'abord un exécutable Python.</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="88"/>
        <source>Checking {0}…</source>
        <translation>Vérification de {0}…</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="89"/>
        <source>Segmentation Trainer: checking the worker</source>
        <translation>Segmentation Trainer : vérification du processus de calcul</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="98"/>
        <source>The check did not complete.</source>
        <translation>La vérification n'a pas abouti.</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="6"/>
        <source>Segmentation Trainer: worker set-up</source>
        <translation>Segmentation Trainer : installation du processus de calcul</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="23"/>
        <source>Training and prediction run in a separate Python with PyTorch, segmentation-models-pytorch and rasterio. Create that environment here (a download of about 1 GB for the CPU build, several GB for the CUDA build), or choose a Python that already has them.</source>
        <translation>L'entraînement et la prédiction tournent dans un Python séparé avec PyTorch, segmentation-models-pytorch et rasterio. Créez cet environnement ici (un téléchargement d'environ 1 Go pour la version CPU, plusieurs Go pour la version CUDA), ou choisissez un Python qui les possède déjà.</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="32"/>
        <source>Environment folder</source>
        <translation>Dossier de l'environnement</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="39"/>
        <source>Where the virtual environment is created (default: under the QGIS profile).</source>
        <translation>Où l'environnement virtuel est créé (par défaut : dans le profil QGIS).</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="55"/>
        <source>Create environment</source>
        <translation>Créer l'environnement</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="78"/>
        <source>Existing Python</source>
        <translation>Python existant</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="85"/>
        <source>A Python executable that has the worker&apos;s packages (requirements/worker.txt).</source>
        <translation>Un exécutable Python qui possède les paquets du processus de calcul (requirements/worker.txt).</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="96"/>
        <source>Use this Python</source>
        <translation>Utiliser ce Python</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.py" line="50"/>
        <source>Downloaded encoder weights: {0} ({1:.0f} MB)</source>
        <translation>Poids d'encodeur téléchargés : {0} ({1:.0f} Mo)</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="124"/>
        <source>Clear</source>
        <translation>Vider</translation>
    </message>
    <message>
        <location filename="../ui/setup_dialog.ui" line="127"/>
        <source>Delete the downloaded encoder weights; they are downloaded again when a training needs them.</source>
        <translation>Supprime les poids d'encodeur téléchargés ; ils seront téléchargés de nouveau quand un entraînement en aura besoin.</translation>
    </message>
</context>
<context>
    <name>SetupRunner</name>
    <message>
        <location filename="../tasks/worker_setup.py" line="83"/>
        <source>Creating the virtual environment</source>
        <translation>Création de l'environnement virtuel</translation>
    </message>
    <message>
        <location filename="../tasks/worker_setup.py" line="87"/>
        <source>Updating pip</source>
        <translation>Mise à jour de pip</translation>
    </message>
    <message>
        <location filename="../tasks/worker_setup.py" line="88"/>
        <source>Installing PyTorch ({0} build)</source>
        <translation>Installation de PyTorch (version {0})</translation>
    </message>
    <message>
        <location filename="../tasks/worker_setup.py" line="94"/>
        <source>Installing the other requirements</source>
        <translation>Installation des autres dépendances</translation>
    </message>
    <message>
        <location filename="../tasks/worker_setup.py" line="147"/>
        <source>{0}: cannot start {1}.</source>
        <translation>{0} : impossible de lancer {1}.</translation>
    </message>
    <message>
        <location filename="../tasks/worker_setup.py" line="152"/>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <location filename="../tasks/worker_setup.py" line="154"/>
        <source>{0} failed (exit code {1}).</source>
        <translation>{0} a échoué (code de sortie {1}).</translation>
    </message>
</context>
<context>
    <name>TrainAlgorithm</name>
    <message>
        <location filename="../provider/train.py" line="26"/>
        <source>Train model</source>
        <translation>Entraîner un modèle</translation>
    </message>
    <message>
        <location filename="../provider/train.py" line="44"/>
        <source>Best validation mIoU</source>
        <translation>Meilleur mIoU de validation</translation>
    </message>
    <message>
        <location filename="../provider/train.py" line="29"/>
        <source>Trains a segmentation network on a raster and its labels (polygons with a class field, or a class raster) in the plugin&apos;s worker process, and writes a model folder that Predict uses. The loss and its parameters are those of the dock&apos;s Train tab; LOSS_PARAMS is JSON, e.g. {&quot;gamma&quot;: 2.0}. A run JSON exported from the dock may replace every other setting.</source>
        <translation>Entraîne un réseau de segmentation sur un raster et ses étiquettes (polygones avec un champ de classe, ou raster de classes) dans le processus de calcul de l'extension, et écrit un dossier de modèle qu'utilise Prédire. La perte et ses paramètres sont ceux de l'onglet Entraîner du panneau ; LOSS_PARAMS est du JSON, par ex. {&quot;gamma&quot;: 2.0}. Un JSON d'exécution exporté du panneau peut remplacer tous les autres réglages.</translation>
    </message>
</context>
<context>
    <name>TrainerDock</name>
    <message>
        <location filename="../ui/dock.py" line="272"/>
        <source>Choose a raster layer and a label layer first.</source>
        <translation>Choisissez d'abord une couche raster et une couche d'étiquettes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="328"/>
        <source>Training into {0}</source>
        <translation>Entraînement dans {0}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="311"/>
        <source>Segmentation Trainer: training</source>
        <translation>Segmentation Trainer : entraînement</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="397"/>
        <source>Choose a raster layer and a model folder first.</source>
        <translation>Choisissez d'abord une couche raster et un dossier de modèle.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="389"/>
        <source>Segmentation Trainer: prediction</source>
        <translation>Segmentation Trainer : prédiction</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="482"/>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="541"/>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="533"/>
        <source>Training finished: best validation mIoU {0}. Model in {1}</source>
        <translation>Entraînement terminé : meilleur mIoU de validation {0}. Modèle dans {1}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="575"/>
        <source>Prediction added as layer {0}.</source>
        <translation>Prédiction ajoutée comme couche {0}.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="6"/>
        <source>Segmentation Trainer</source>
        <translation>Segmentation Trainer</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="35"/>
        <source>Data</source>
        <translation>Données</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="628"/>
        <source>Raster</source>
        <translation>Raster</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="50"/>
        <source>The image to train on: a file-backed raster layer with one or more bands.</source>
        <translation>L'image d'entraînement : une couche raster enregistrée dans un fichier, à une ou plusieurs bandes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="71"/>
        <source>Labels</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="78"/>
        <source>Polygons with a class field, or a class raster. Labels in another CRS are reprojected.</source>
        <translation>Polygones avec un champ de classe, ou raster de classes. Les étiquettes dans un autre SCR sont reprojetées.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="85"/>
        <source>Class field</source>
        <translation>Champ de classe</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="92"/>
        <source>The field holding each polygon&apos;s class (integer or text). In binary mode it may stay empty: every polygon is foreground.</source>
        <translation>Le champ qui contient la classe de chaque polygone (entier ou texte). En mode binaire il peut rester vide : chaque polygone est un objet.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="317"/>
        <source>Training</source>
        <translation>Entraînement</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="242"/>
        <source>Mode</source>
        <translation>Mode</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="256"/>
        <source>Loss</source>
        <translation>Perte</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="607"/>
        <source>Model folder</source>
        <translation>Dossier du modèle</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="341"/>
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="576"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="656"/>
        <source>Extent</source>
        <translation>Emprise</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="670"/>
        <source>Inside polygons</source>
        <translation>Dans les polygones</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="684"/>
        <source>Selected features only</source>
        <translation>Entités sélectionnées uniquement</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="710"/>
        <source>Predict</source>
        <translation>Prédire</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="95"/>
        <source>training</source>
        <translation>entraînement</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="95"/>
        <source>validation</source>
        <translation>validation</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="95"/>
        <source>mIoU</source>
        <translation>mIoU</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="94"/>
        <source>Validation mIoU</source>
        <translation>mIoU de validation</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="182"/>
        <source>Whole raster</source>
        <translation>Raster entier</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="221"/>
        <source>Choose a model folder written by training.</source>
        <translation>Choisissez un dossier de modèle écrit par l'entraînement.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="232"/>
        <source>{0} cannot be read: {1}</source>
        <translation>{0} ne peut pas être lu : {1}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="236"/>
        <source>{0}/{1}, {2} classes ({3}); {4} bands; {5} map units per pixel; best mIoU {6}.</source>
        <translation>{0}/{1}, {2} classes ({3}) ; {4} bandes ; {5} unités de carte par pixel ; meilleur mIoU {6}.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="300"/>
        <source>Export run</source>
        <translation>Exporter l'exécution</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="300"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="304"/>
        <source>Run exported to {0}.</source>
        <translation>Exécution exportée dans {0}.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="315"/>
        <source>Checking the data…</source>
        <translation>Vérification des données…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="316"/>
        <source>Segmentation Trainer: checking data</source>
        <translation>Segmentation Trainer : vérification des données</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="554"/>
        <source>Labelled pixels per class (training / validation):</source>
        <translation>Pixels étiquetés par classe (entraînement / validation) :</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="561"/>
        <source>No training pixels for: {0}. Add labels or change the split.</source>
        <translation>Aucun pixel d'entraînement pour : {0}. Ajoutez des étiquettes ou changez le découpage.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="638"/>
        <source>Checking the worker…</source>
        <translation>Vérification du processus de calcul…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="639"/>
        <source>Segmentation Trainer: checking the worker</source>
        <translation>Segmentation Trainer : vérification du processus de calcul</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="650"/>
        <source>Worker not ready: {0} Click Set up….</source>
        <translation>Processus de calcul non prêt : {0} Cliquez sur Installer….</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="653"/>
        <source>Worker: {0}</source>
        <translation>Calcul : {0}</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="22"/>
        <source>Set up…</source>
        <translation>Installer…</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="25"/>
        <source>Create the worker environment (PyTorch and the other packages), or choose its Python.</source>
        <translation>Créer l'environnement de calcul (PyTorch et les autres paquets), ou choisir son Python.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="101"/>
        <source>Classes</source>
        <translation>Classes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="110"/>
        <source>One row per class: the value written in the rasters, its name and its colour. Empty: taken from the labels.</source>
        <translation>Une ligne par classe : la valeur écrite dans les rasters, son nom et sa couleur. Vide : tirée des étiquettes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="119"/>
        <source>Fill from labels</source>
        <translation>Remplir depuis les étiquettes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="122"/>
        <source>Read the class field&apos;s values (or the label raster&apos;s classes) into the table.</source>
        <translation>Lire les valeurs du champ de classe (ou les classes du raster d'étiquettes) dans la table.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="129"/>
        <source>Add</source>
        <translation>Ajouter</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="416"/>
        <source>Remove</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="150"/>
        <source>Training area</source>
        <translation>Zone d'entraînement</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="157"/>
        <source>Optional polygons: only pixels inside them are used for training.</source>
        <translation>Polygones facultatifs : seuls les pixels à l'intérieur servent à l'entraînement.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="164"/>
        <source>Validation area</source>
        <translation>Zone de validation</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="171"/>
        <source>Optional polygons holding the validation tiles (otherwise random spatial blocks).</source>
        <translation>Polygones facultatifs contenant les tuiles de validation (sinon des blocs spatiaux aléatoires).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="180"/>
        <source>Check data</source>
        <translation>Vérifier les données</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="183"/>
        <source>Count the tiles and the labelled pixels per class that training would use, without training.</source>
        <translation>Compter les tuiles et les pixels étiquetés par classe que l'entraînement utiliserait, sans entraîner.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="226"/>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="249"/>
        <source>Binary: one class against the rest. Multiclass: several classes. Switching converts the loss to its counterpart.</source>
        <translation>Binaire : une classe contre le reste. Multiclasse : plusieurs classes. Changer de mode convertit la perte en son équivalent.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="266"/>
        <source>Preset</source>
        <translation>Préréglage</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="299"/>
        <source>Parameters</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="348"/>
        <source>Export run…</source>
        <translation>Exporter l'exécution…</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="351"/>
        <source>Save this run&apos;s settings as JSON for python -m segmentation_trainer train --config (headless).</source>
        <translation>Enregistrer les réglages de cette exécution en JSON pour python -m segmentation_trainer train --config (sans interface).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="558"/>
        <source>Run</source>
        <translation>Exécution</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="614"/>
        <source>A model folder written by training (model.json and the weights it names).</source>
        <translation>Un dossier de modèle écrit par l'entraînement (model.json et les poids qu'il désigne).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="635"/>
        <source>The raster to predict: the same bands as the training raster.</source>
        <translation>Le raster à prédire : les mêmes bandes que le raster d'entraînement.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="663"/>
        <source>Where to predict: not set means the whole raster; or the canvas, a layer&apos;s extent, or a rectangle drawn on the map.</source>
        <translation>Où prédire : non défini signifie le raster entier ; ou la carte, l'emprise d'une couche, ou un rectangle dessiné sur la carte.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="677"/>
        <source>Optional: predict only inside these polygons (outside is nodata).</source>
        <translation>Facultatif : prédire seulement à l'intérieur de ces polygones (à l'extérieur : nodata).</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="355"/>
        <source>Comparing {0} loss configurations into {1}</source>
        <translation>Comparaison de {0} configurations de perte dans {1}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="360"/>
        <source>Segmentation Trainer: comparing losses</source>
        <translation>Segmentation Trainer : comparaison des pertes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="500"/>
        <source>Compare losses</source>
        <translation>Comparer les pertes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="388"/>
        <source>Ticked configurations are compared. Double-click a name to rename it.</source>
        <translation>Les configurations cochées sont comparées. Double-cliquez sur un nom pour le renommer.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="423"/>
        <source>Study presets</source>
        <translation>Préréglages de l'étude</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="426"/>
        <source>Back to the seven CE:Dice:Focal weightings of the loss study.</source>
        <translation>Revenir aux sept pondérations CE:Dice:Focal de l'étude des pertes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="437"/>
        <source>Baseline</source>
        <translation>Référence</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="444"/>
        <source>The configuration whose per-class IoU the best one is compared with.</source>
        <translation>La configuration dont l'IoU par classe est comparée à celle de la meilleure.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="451"/>
        <source>Second architecture</source>
        <translation>Seconde architecture</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="484"/>
        <source>Report folder</source>
        <translation>Dossier du rapport</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="491"/>
        <source>Where the report and every configuration&apos;s run are written (empty: a new folder beside the project). Finished runs found there are reused.</source>
        <translation>Où le rapport et l'entraînement de chaque configuration sont écrits (vide : un nouveau dossier à côté du projet). Les entraînements terminés qui s'y trouvent sont réutilisés.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="888"/>
        <source>Open report</source>
        <translation>Ouvrir le rapport</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="542"/>
        <source>Train with the best</source>
        <translation>Entraîner avec la meilleure</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="273"/>
        <source>The seven CE:Dice:Focal weightings of the loss study of Swastika 2025 (Table II).</source>
        <translation>Les sept pondérations CE:Dice:Focal de l'étude des pertes de Swastika 2025 (tableau II).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="289"/>
        <source>References…</source>
        <translation>Références…</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="292"/>
        <source>Opens the full citation of every loss, metric and network (docs/references.md).</source>
        <translation>Ouvre la référence complète de chaque perte, métrique et réseau (docs/references.md).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="462"/>
        <source>Runs per configuration</source>
        <translation>Entraînements par configuration</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="473"/>
        <source>Test share</source>
        <translation>Part de test</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="221"/>
        <source>{0} is not a model folder (no {1}).</source>
        <translation>{0} n'est pas un dossier de modèle (pas de {1}).</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="803"/>
        <source>Advanced</source>
        <translation>Avancé</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="372"/>
        <source>Compare</source>
        <translation>Comparer</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="378"/>
        <source>Trains the Data and Train tabs&apos; settings several times per loss configuration (same tiles, split and epochs; one seed per run), chooses the best on validation blocks and tests it on held-out blocks: the report says which loss suits your data, or that the data cannot tell.</source>
        <translation>Entraîne les réglages des onglets Données et Entraîner plusieurs fois par configuration de perte (mêmes tuiles, partition et époques ; une graine par entraînement), choisit la meilleure sur les blocs de validation et la teste sur des blocs mis de côté : le rapport dit quelle perte convient à vos données, ou que les données ne permettent pas de trancher.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="406"/>
        <source>Add loss</source>
        <translation>Ajouter la perte</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="409"/>
        <source>Adds the loss chosen in the Train tab, with its parameters, as a configuration.</source>
        <translation>Ajoute la perte choisie dans l'onglet Entraîner, avec ses paramètres, comme configuration.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="533"/>
        <source>n/a</source>
        <translation>n.d.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="545"/>
        <source>Sets the Train tab&apos;s loss to the best configuration and trains the final model with the same settings.</source>
        <translation>Règle la perte de l'onglet Entraîner sur la meilleure configuration et entraîne le modèle final avec les mêmes réglages.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="201"/>
        <source>all {0} bands; or e.g. 4,3,2</source>
        <translation>les {0} bandes ; ou par ex. 4,3,2</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="201"/>
        <source>all bands; or e.g. 4,3,2</source>
        <translation>toutes les bandes ; ou par ex. 4,3,2</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="251"/>
        <source>It reads bands {0}.</source>
        <translation>Il lit les bandes {0}.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="257"/>
        <source>Warning: {0}</source>
        <translation>Attention : {0}</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="642"/>
        <source>More rasters</source>
        <translation>Autres rasters</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="64"/>
        <source>Other raster layers to train on with the same labels (clipped to each): scenes or orthophoto tiles with the same bands.</source>
        <translation>Autres couches raster sur lesquelles entraîner avec les mêmes étiquettes (découpées pour chacune) : scènes ou dalles d'orthophoto aux mêmes bandes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="649"/>
        <source>Other raster layers to predict with the same model, in one run: one prediction each.</source>
        <translation>Autres couches raster à prédire avec le même modèle, en une seule exécution : une prédiction chacune.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="545"/>
        <source>{0}: {1} x {2} pixels, {3} bands.</source>
        <translation>{0} : {1} x {2} pixels, {3} bandes.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="551"/>
        <source>Tiles of {0} px: {1} for training, {2} for validation.</source>
        <translation>Tuiles de {0} px : {1} pour l'entraînement, {2} pour la validation.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="580"/>
        <source>Segmentation Trainer: sampling points</source>
        <translation>Segmentation Trainer : échantillonnage de points</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="584"/>
        <source>Segmentation Trainer: assessing accuracy</source>
        <translation>Segmentation Trainer : évaluation de la précision</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="608"/>
        <source>{0} sample points added as layer {1}: fill in their field &apos;{2}&apos; with the true class, then assess.</source>
        <translation>{0} points d'échantillon ajoutés comme couche {1} : saisissez la vraie classe dans leur champ « {2} », puis évaluez.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="868"/>
        <source>Assess</source>
        <translation>Évaluer</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="766"/>
        <source>How accurate is a map? Draw random points in its classes, fill in their true class, then assess: error matrix, accuracies and class areas with 95 % confidence intervals.</source>
        <translation>Quelle est la précision d'une carte ? Tirez des points au hasard dans ses classes, saisissez leur vraie classe, puis évaluez : matrice de confusion, précisions et surfaces des classes avec leurs intervalles de confiance à 95 %.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="778"/>
        <source>Class raster</source>
        <translation>Raster de classes</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="785"/>
        <source>The map to assess: a prediction, or any raster of class values.</source>
        <translation>La carte à évaluer : une prédiction, ou tout raster de valeurs de classe.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="794"/>
        <source>1. Sample points</source>
        <translation>1. Points d'échantillon</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="817"/>
        <source>Draw sample points</source>
        <translation>Tirer des points d'échantillon</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="820"/>
        <source>Writes the points beside the class raster and adds them to the map: fill in their reference field, then assess.</source>
        <translation>Écrit les points à côté du raster de classes et les ajoute à la carte : remplissez leur champ de référence, puis évaluez.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="830"/>
        <source>2. Assessment</source>
        <translation>2. Évaluation</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="838"/>
        <source>Reference data</source>
        <translation>Données de référence</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="845"/>
        <source>Points or polygons with a class field, or a class raster, that the model never saw.</source>
        <translation>Points ou polygones avec un champ de classe, ou raster de classes, que le modèle n'a jamais vus.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="852"/>
        <source>Reference class field</source>
        <translation>Champ de la classe de référence</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="859"/>
        <source>The field holding the true class of each point or polygon: a class value or name of the map.</source>
        <translation>Le champ qui porte la vraie classe de chaque point ou polygone : une valeur ou un nom de classe de la carte.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="871"/>
        <source>Writes the report into a new folder beside the class raster and opens it.</source>
        <translation>Écrit le rapport dans un nouveau dossier à côté du raster de classes et l'ouvre.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="418"/>
        <source>Choose a model folder first.</source>
        <translation>Choisissez d'abord un dossier de modèle.</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="427"/>
        <source>Segmentation Trainer: export to ONNX</source>
        <translation>Segmentation Trainer : export en ONNX</translation>
    </message>
    <message>
        <location filename="../ui/dock.py" line="434"/>
        <source>Model exported to {0}: Deepness opens it, with tiles of {1} px.</source>
        <translation>Modèle exporté dans {0} : Deepness l'ouvre, avec des tuiles de {1} px.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="717"/>
        <source>Export to ONNX (Deepness)</source>
        <translation>Exporter en ONNX (Deepness)</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="729"/>
        <source>The model folder as one .onnx file, its normalization inside, for the Deepness plugin or for predicting without PyTorch.</source>
        <translation>Le dossier du modèle en un seul fichier .onnx, normalisation incluse, pour l'extension Deepness ou pour prédire sans PyTorch.</translation>
    </message>
    <message>
        <location filename="../ui/dock.ui" line="742"/>
        <source>Export to ONNX</source>
        <translation>Exporter en ONNX</translation>
    </message>
</context>
<context>
    <name>WorkerAlgorithm</name>
    <message>
        <location filename="../provider/worker_algorithm.py" line="39"/>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <location filename="../provider/worker_algorithm.py" line="44"/>
        <source>The worker ended without a result.</source>
        <translation>Le processus de calcul s'est terminé sans résultat.</translation>
    </message>
</context>
<context>
    <name>WorkerProgress</name>
    <message>
        <location filename="../tasks/progress.py" line="39"/>
        <source>Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}</source>
        <translation>Époque {0}/{1} : perte d'entraînement {2:.4f}, mIoU de validation {3}</translation>
    </message>
    <message>
        <location filename="../tasks/progress.py" line="51"/>
        <source>ETA {0}</source>
        <translation>reste {0}</translation>
    </message>
    <message>
        <location filename="../tasks/progress.py" line="57"/>
        <source>Chunk {0}/{1} · {2}</source>
        <translation>Bloc {0}/{1} · {2}</translation>
    </message>
    <message>
        <location filename="../tasks/progress.py" line="60"/>
        <source>Epoch {0}/{1} · batch {2}/{3} · {4}</source>
        <translation>Époque {0}/{1} · lot {2}/{3} · {4}</translation>
    </message>
    <message>
        <location filename="../tasks/progress.py" line="64"/>
        <source>Loss {0}/{1} ({2}) · </source>
        <translation>Perte {0}/{1} ({2}) · </translation>
    </message>
    <message>
        <location filename="../tasks/progress.py" line="38"/>
        <source>n/a</source>
        <translation>n.d.</translation>
    </message>
    <message>
        <location filename="../tasks/progress.py" line="53"/>
        <source>Downloading {0}: {1} of {2} MB · {3}</source>
        <translation>Téléchargement de {0} : {1} sur {2} Mo · {3}</translation>
    </message>
</context>
<context>
    <name>WorkerTask</name>
    <message>
        <location filename="../tasks/worker.py" line="68"/>
        <source>Cannot start the worker with {0}: {1}. Set the worker&apos;s Python in the plugin settings.</source>
        <translation>Impossible de démarrer le processus de calcul avec {0} : {1}. Indiquez son Python dans les paramètres de l'extension.</translation>
    </message>
    <message>
        <location filename="../tasks/worker.py" line="76"/>
        <source>The worker stopped unexpectedly (exit code {0}). Its last output:
{1}</source>
        <translation>Le processus de calcul s'est arrêté de façon inattendue (code de sortie {0}). Ses dernières lignes :
{1}</translation>
    </message>
</context>
<context>
    <name>layers</name>
    <message>
        <location filename="../tasks/layers.py" line="55"/>
        <source>The prediction {0} could not be opened as a raster layer.</source>
        <translation>La prédiction {0} n'a pas pu être ouverte comme couche raster.</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="81"/>
        <source>{0} confidence</source>
        <translation>{0} confiance</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="119"/>
        <source>Cannot copy the polygons of &apos;{0}&apos;: {1}</source>
        <translation>Impossible de copier les polygones de « {0} » : {1}</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="38"/>
        <source>The layer &apos;{0}&apos; is not a local file ({1} layer): save it to a GeoTIFF or GeoPackage first (right-click &gt; Export &gt; Save As) and use the saved layer.</source>
        <translation>La couche « {0} » n'est pas un fichier local (couche {1}) : enregistrez-la d'abord en GeoTIFF ou GeoPackage (clic droit &gt; Exporter &gt; Sauvegarder sous) et utilisez la couche enregistrée.</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="109"/>
        <source>No feature of &apos;{0}&apos; is selected: select the polygons to predict in, or untick &apos;Selected features only&apos;.</source>
        <translation>Aucune entité de « {0} » n'est sélectionnée : sélectionnez les polygones où prédire, ou décochez « Entités sélectionnées uniquement ».</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="97"/>
        <source>The sample points {0} could not be opened as a vector layer.</source>
        <translation>Les points d'échantillon {0} n'ont pas pu être ouverts comme couche vecteur.</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="82"/>
        <source>{0} entropy</source>
        <translation>{0} entropie</translation>
    </message>
    <message>
        <location filename="../tasks/layers.py" line="83"/>
        <source>{0} margin</source>
        <translation>{0} écart</translation>
    </message>
</context>
<context>
    <name>losses</name>
    <message>
        <location filename="../losses/catalog.py" line="84"/>
        <source>Smoothing term</source>
        <translation>Terme de lissage</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="84"/>
        <source>Added to numerator and denominator of the overlap ratio.</source>
        <translation>Ajouté au numérateur et au dénominateur du rapport de recouvrement.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="92"/>
        <source>Score per image</source>
        <translation>Score par image</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="92"/>
        <source>Score each image separately instead of the whole batch.</source>
        <translation>Évalue chaque image séparément plutôt que le lot entier.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focusing parameter γ</source>
        <translation>Paramètre de focalisation γ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="102"/>
        <source>Focusing exponent: higher puts more weight on hard pixels; 0 gives CE.</source>
        <translation>Exposant de focalisation : plus élevé, il donne plus de poids aux pixels difficiles ; 0 donne l'entropie croisée.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="116"/>
        <source>Focal α (foreground weight)</source>
        <translation>α focal (poids du premier plan)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="116"/>
        <source>Weight of foreground pixels; background pixels get 1 - alpha (0.5 weighs both alike).</source>
        <translation>Poids des pixels de premier plan ; ceux de l'arrière-plan reçoivent 1 - alpha (0,5 les pondère à égalité).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="126"/>
        <source>Focal α (scale)</source>
        <translation>α focal (échelle)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="126"/>
        <source>Scales the whole focal term, every class alike (1: unscaled).</source>
        <translation>Met à l'échelle tout le terme focal, toutes les classes de même (1 : sans mise à l'échelle).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="136"/>
        <source>Tversky α (false-positive weight)</source>
        <translation>α de Tversky (poids des faux positifs)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="137"/>
        <source>Tversky β (false-negative weight)</source>
        <translation>β de Tversky (poids des faux négatifs)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="138"/>
        <source>Weight of false positives: lower tolerates more of them (higher recall).</source>
        <translation>Poids des faux positifs : plus bas, il en tolère davantage (meilleur rappel).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="146"/>
        <source>Weight of false negatives: higher penalises missed pixels (higher recall).</source>
        <translation>Poids des faux négatifs : plus élevé, il pénalise les pixels manqués (meilleur rappel).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="154"/>
        <source>Focal Tversky weight λ</source>
        <translation>Poids λ du Tversky focal</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="154"/>
        <source>lambda: weight of the focal Tversky term.</source>
        <translation>lambda : poids du terme Tversky focal.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="154"/>
        <source>Rare-class weight δ</source>
        <translation>Poids δ des classes rares</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="154"/>
        <source>Weight of rare classes vs background, and of FN vs FP.</source>
        <translation>Poids des classes rares face à l'arrière-plan, et des FN face aux FP.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="154"/>
        <source>Focal parameter γ</source>
        <translation>Paramètre focal γ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="154"/>
        <source>Focal parameter (the rare classes&apos; Tversky term is raised to 1 - gamma).</source>
        <translation>Paramètre focal (le terme Tversky des classes rares est élevé à la puissance 1 - gamma).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the cross-entropy term.</source>
        <translation>Poids du terme d'entropie croisée.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="185"/>
        <source>Cross-entropy weight</source>
        <translation>Poids de l'entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="189"/>
        <source>Weight of the Dice term.</source>
        <translation>Poids du terme Dice.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="190"/>
        <source>Dice weight</source>
        <translation>Poids de Dice</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="194"/>
        <source>Weight of the Focal term.</source>
        <translation>Poids du terme focal.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="195"/>
        <source>Focal weight</source>
        <translation>Poids de la focale</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="202"/>
        <source>Weight of the |g - p|^gamma term, as a share of its safe maximum min(1, beta/rho).</source>
        <translation>Poids du terme |g - p|^gamma, en part de son maximum sûr min(1, beta/rho).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="205"/>
        <source>Weight of false negatives in the cross-entropy term (FP: 1 - beta).</source>
        <translation>Poids des faux négatifs dans le terme d'entropie croisée (FP : 1 - beta).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="206"/>
        <source>False-negative weight β</source>
        <translation>Poids β des faux négatifs</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Dice + cross-entropy</source>
        <translation>Dice + entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Recommended default. Dice + cross-entropy, 50/50: region overlap and pixel accuracy.</source>
        <translation>Choix par défaut recommandé. Dice + entropie croisée, 50/50 : recouvrement des régions et exactitude des pixels.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Balanced data; a robust default</source>
        <translation>Données équilibrées ; un choix par défaut robuste</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Binary cross-entropy weight</source>
        <translation>Poids de l'entropie croisée binaire</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the binary cross-entropy term.</source>
        <translation>Poids du terme d'entropie croisée binaire.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Cross-entropy</source>
        <translation>Entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Standard cross-entropy. Simple and fast; works well for balanced classes.</source>
        <translation>Entropie croisée standard. Simple et rapide ; convient bien aux classes équilibrées.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Balanced classes, simple baseline</source>
        <translation>Classes équilibrées, référence simple</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Dice</source>
        <translation>Dice</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Soft Dice loss: optimises region overlap; insensitive to class imbalance, can be unstable alone.</source>
        <translation>Perte Dice souple : optimise le recouvrement des régions ; insensible au déséquilibre des classes, peut être instable seule.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Imbalanced classes, overlap matters most</source>
        <translation>Classes déséquilibrées, le recouvrement prime</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal</source>
        <translation>Focale</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal loss: down-weights easy pixels and focuses on hard ones near class boundaries.</source>
        <translation>Perte focale : réduit le poids des pixels faciles et se concentre sur les difficiles, près des limites entre classes.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Many easy background pixels, hard examples matter</source>
        <translation>Beaucoup de pixels d'arrière-plan faciles, les exemples difficiles comptent</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal + Dice</source>
        <translation>Focale + Dice</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal + Dice, 50/50: hard pixels and region overlap.</source>
        <translation>Focale + Dice, 50/50 : pixels difficiles et recouvrement des régions.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Imbalanced data, rare foreground or rare classes</source>
        <translation>Données déséquilibrées, premier plan rare ou classes rares</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Tversky</source>
        <translation>Tversky</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Tversky loss: Dice with separate weights for false positives (alpha) and false negatives (beta).</source>
        <translation>Perte de Tversky : Dice avec des poids distincts pour les faux positifs (alpha) et les faux négatifs (beta).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>High recall (alpha &lt; beta) or high precision (alpha &gt; beta)</source>
        <translation>Rappel élevé (alpha &lt; beta) ou précision élevée (alpha &gt; beta)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal Tversky</source>
        <translation>Tversky focale</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal Tversky loss: (1 - Tversky)^(1/gamma), emphasises poorly segmented, small objects.</source>
        <translation>Perte de Tversky focale : (1 - Tversky)^(1/gamma), met l'accent sur les petits objets mal segmentés.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Very imbalanced data where recall is critical</source>
        <translation>Données très déséquilibrées où le rappel est essentiel</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal Tversky γ</source>
        <translation>γ du Tversky focal</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal Tversky gamma: the exponent is 1/gamma.</source>
        <translation>Gamma du Tversky focal : l'exposant vaut 1/gamma.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal + Tversky</source>
        <translation>Focale + Tversky</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal + Tversky combination, 50/50: the focal loss plus the Tversky loss (a weighted sum).</source>
        <translation>Combinaison focale + Tversky, 50/50 : la perte focale plus la perte de Tversky (une somme pondérée).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Very imbalanced data where recall is critical, with pixel-level focusing</source>
        <translation>Données très déséquilibrées où le rappel est essentiel, avec une focalisation au niveau des pixels</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Tversky weight</source>
        <translation>Poids de Tversky</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the Tversky term.</source>
        <translation>Poids du terme de Tversky.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Focal focusing exponent (0 gives CE).</source>
        <translation>Exposant de focalisation de la focale (0 donne l'entropie croisée).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Tversky weight of false positives.</source>
        <translation>Poids de Tversky des faux positifs.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Tversky weight of false negatives.</source>
        <translation>Poids de Tversky des faux négatifs.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Cross-entropy + Dice + Focal</source>
        <translation>Entropie croisée + Dice + focale</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weighted CE + Dice + Focal (Swastika 2025 study); its seven weightings are presets.</source>
        <translation>Entropie croisée + Dice + focale pondérées (étude de Swastika, 2025) ; ses sept pondérations sont des préréglages.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Multi-class land cover; tune weights with the loss comparison</source>
        <translation>Occupation du sol multiclasse ; réglez les poids avec la comparaison des pertes</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Dual Focal</source>
        <translation>Focale duale</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Dual Focal loss: rewards true classes, penalises false ones; learnable γ, adaptive weights.</source>
        <translation>Perte focale duale : récompense les vraies classes, pénalise les fausses ; γ apprenable, poids adaptatifs.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Class imbalance, faster convergence than cross-entropy</source>
        <translation>Classes déséquilibrées, convergence plus rapide qu'avec l'entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight α of the |g - p|^γ term</source>
        <translation>Poids α du terme |g - p|^γ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>False-class weight β</source>
        <translation>Poids β des fausses classes</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the false-class term.</source>
        <translation>Poids du terme des fausses classes.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Scaling exponent γ</source>
        <translation>Exposant d'échelle γ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Scaling exponent (&gt;= 1 keeps the perfect prediction the minimum).</source>
        <translation>Exposant d'échelle (&gt;= 1 garde la prédiction parfaite comme minimum).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Offset ρ</source>
        <translation>Décalage ρ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Offset in log(rho - p).</source>
        <translation>Décalage dans log(rho - p).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Learn γ</source>
        <translation>Apprendre γ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Optimise gamma (in (1, 5)) with the network.</source>
        <translation>Optimise gamma (dans (1, 5)) avec le réseau.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Adaptive class weights</source>
        <translation>Poids des classes adaptatifs</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight classes by inverse frequency in each batch.</source>
        <translation>Pondère les classes par l'inverse de leur fréquence dans chaque lot.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Top-k cross-entropy</source>
        <translation>Entropie croisée top-k</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>TopK cross-entropy: averages only the k % hardest pixels.</source>
        <translation>Entropie croisée top-k : ne moyenne que les k % de pixels les plus difficiles.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Noisy easy background, learning from hard pixels</source>
        <translation>Arrière-plan facile et bruité, apprentissage sur les pixels difficiles</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Hardest pixels kept k (%)</source>
        <translation>Pixels les plus difficiles gardés k (%)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Share of hardest pixels kept, in percent.</source>
        <translation>Part des pixels les plus difficiles gardés, en pourcentage.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Distance-map cross-entropy</source>
        <translation>Entropie croisée à carte de distance</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Cross-entropy weighted up near class boundaries (distance map penalty).</source>
        <translation>Entropie croisée renforcée près des limites entre classes (pénalité par carte de distance).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Sharp boundaries between classes</source>
        <translation>Limites nettes entre les classes</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Boundary weight</source>
        <translation>Poids des limites</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Extra weight of boundary pixels (1 + weight).</source>
        <translation>Poids supplémentaire des pixels de limite (1 + poids).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Jaccard (IoU)</source>
        <translation>Jaccard (IoU)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Soft Jaccard (IoU) loss: optimises the IoU directly.</source>
        <translation>Perte de Jaccard (IoU) souple : optimise directement l'IoU.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>When IoU is the target metric</source>
        <translation>Quand l'IoU est la métrique visée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Lovász</source>
        <translation>Lovász</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Lovász loss: a convex surrogate of the IoU (softmax form / hinge form in binary mode).</source>
        <translation>Perte de Lovász : un substitut convexe de l'IoU (forme softmax / forme hinge en mode binaire).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Fine-tuning for IoU</source>
        <translation>Affinage pour l'IoU</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Log-cosh Dice</source>
        <translation>Dice log-cosh</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Log-cosh Dice: a smoothed Dice loss.</source>
        <translation>Dice log-cosh : une perte Dice lissée.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Dice&apos;s goal with smoother optimisation</source>
        <translation>Le but de Dice avec une optimisation plus régulière</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Generalized Dice</source>
        <translation>Dice généralisé</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Generalized Dice: classes weighted by 1 / (pixel count)^2.</source>
        <translation>Dice généralisé : classes pondérées par 1 / (nombre de pixels)^2.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Highly imbalanced class sizes</source>
        <translation>Tailles de classes très déséquilibrées</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Sensitivity-specificity</source>
        <translation>Sensibilité-spécificité</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Sensitivity-specificity loss: squared errors inside and outside each class, weighted by r.</source>
        <translation>Perte sensibilité-spécificité : erreurs au carré dans et hors de chaque classe, pondérées par r.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Tiny objects where sensitivity must be traded explicitly</source>
        <translation>Très petits objets où la sensibilité doit être arbitrée explicitement</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Sensitivity weight r</source>
        <translation>Poids r de la sensibilité</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the sensitivity term (1 - r: specificity).</source>
        <translation>Poids du terme de sensibilité (1 - r : spécificité).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Exponential logarithmic</source>
        <translation>Logarithmique exponentielle</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Exponential logarithmic loss: (-ln Dice)^gamma and (-ln p)^gamma terms.</source>
        <translation>Perte logarithmique exponentielle : termes (-ln Dice)^gamma et (-ln p)^gamma.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Small structures of very different sizes</source>
        <translation>Petites structures de tailles très différentes</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Exponent γ</source>
        <translation>Exposant γ</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Exponent of both terms.</source>
        <translation>Exposant des deux termes.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Combo (Taghanaki)</source>
        <translation>Combo (Taghanaki)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Combo loss: beta-weighted cross-entropy + Dice, alpha balancing the two.</source>
        <translation>Perte Combo : entropie croisée pondérée par beta + Dice, alpha équilibrant les deux.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Imbalanced data, control of FP/FN in the CE term</source>
        <translation>Données déséquilibrées, contrôle des FP/FN dans le terme d'entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Cross-entropy weight α</source>
        <translation>Poids α de l'entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Asymmetric Unified Focal</source>
        <translation>Focale unifiée asymétrique</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Asymmetric Unified Focal loss: focal + focal Tversky, rare classes never suppressed.</source>
        <translation>Perte focale unifiée asymétrique : focale + Tversky focale, les classes rares ne sont jamais écrasées.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Severe imbalance (rare foreground or classes)</source>
        <translation>Fort déséquilibre (premier plan ou classes rares)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Symmetric Unified Focal</source>
        <translation>Focale unifiée symétrique</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Symmetric Unified Focal loss: focal + focal Tversky applied alike to every class.</source>
        <translation>Perte focale unifiée symétrique : focale + Tversky focale appliquées de même à toutes les classes.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Imbalance where background errors matter too</source>
        <translation>Déséquilibre où les erreurs d'arrière-plan comptent aussi</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Boundary</source>
        <translation>Frontière</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Boundary loss: Dice + distance-to-boundary integral, sharpens object outlines.</source>
        <translation>Perte de frontière : Dice + intégrale de la distance à la frontière, affine les contours des objets.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Accurate outlines (fields, buildings)</source>
        <translation>Contours précis (parcelles, bâtiments)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Boundary term weight</source>
        <translation>Poids du terme de frontière</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the boundary term (Dice gets 1 - weight).</source>
        <translation>Poids du terme de frontière (Dice reçoit 1 - poids).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Hausdorff distance</source>
        <translation>Distance de Hausdorff</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Hausdorff distance loss (distance transform form): penalises errors far from the boundary.</source>
        <translation>Perte de distance de Hausdorff (forme par transformée de distance) : pénalise les erreurs loin de la frontière.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Avoiding far-away false positives</source>
        <translation>Éviter les faux positifs éloignés</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Distance exponent α</source>
        <translation>Exposant α des distances</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Exponent of the distance maps.</source>
        <translation>Exposant des cartes de distance.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>clDice</source>
        <translation>clDice</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>clDice: Dice + skeleton overlap of the foreground, preserves connectivity of thin structures.</source>
        <translation>clDice : Dice + recouvrement des squelettes du premier plan, préserve la connexité des structures fines.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Roads, rivers, hedges, field boundaries</source>
        <translation>Routes, rivières, haies, limites de parcelles</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>clDice weight α</source>
        <translation>Poids α de clDice</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Weight of the clDice term (Dice gets 1 - alpha; clDice alone is no loss).</source>
        <translation>Poids du terme clDice (Dice reçoit 1 - alpha ; clDice seul n'est pas une perte).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Skeleton iterations</source>
        <translation>Itérations du squelette</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Soft skeleton iterations (about the structure&apos;s half width).</source>
        <translation>Itérations du squelette souple (environ la demi-largeur de la structure).</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Matthews correlation (MCC)</source>
        <translation>Corrélation de Matthews (MCC)</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Matthews correlation coefficient loss: uses true negatives too.</source>
        <translation>Perte du coefficient de corrélation de Matthews : utilise aussi les vrais négatifs.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Imbalanced data where background accuracy also matters</source>
        <translation>Données déséquilibrées où l'exactitude de l'arrière-plan compte aussi</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Dice × cross-entropy</source>
        <translation>Dice × entropie croisée</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>Multiplicative loss: Dice x cross-entropy, no weights to tune.</source>
        <translation>Perte multiplicative : Dice x entropie croisée, sans poids à régler.</translation>
    </message>
    <message>
        <location filename="../losses/catalog.py" line="225"/>
        <source>A CE/Dice mix without tuning</source>
        <translation>Un mélange entropie croisée/Dice sans réglage</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="18"/>
        <source>Equal weights</source>
        <translation>Poids égaux</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="19"/>
        <source>Cross-entropy dominant</source>
        <translation>Entropie croisée prépondérante</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="20"/>
        <source>Dice dominant</source>
        <translation>Dice prépondérant</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="21"/>
        <source>Focal dominant</source>
        <translation>Focale prépondérante</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="22"/>
        <source>Cross-entropy only</source>
        <translation>Entropie croisée seule</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="23"/>
        <source>Dice only</source>
        <translation>Dice seul</translation>
    </message>
    <message>
        <location filename="../losses/presets.py" line="24"/>
        <source>Focal only</source>
        <translation>Focale seule</translation>
    </message>
</context>
<context>
    <name>settings</name>
    <message>
        <location filename="../core/common/config.py" line="181"/>
        <source>binary</source>
        <translation>binaire</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="181"/>
        <source>multiclass</source>
        <translation>multiclasse</translation>
    </message>
    <message>
        <location filename="../core/common/schema.py" line="48"/>
        <source>automatic</source>
        <translation>automatique</translation>
    </message>
    <message>
        <location filename="../core/common/schema.py" line="48"/>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <location filename="../core/common/schema.py" line="49"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <location filename="../core/common/schema.py" line="49"/>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <location filename="../provider/compare.py" line="26"/>
        <source>Loss configurations</source>
        <translation>Configurations de perte</translation>
    </message>
    <message>
        <location filename="../provider/train.py" line="18"/>
        <source>Run JSON exported from the dock (replaces the other settings)</source>
        <translation>JSON d'entraînement exporté depuis le panneau (remplace les autres paramètres)</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="117"/>
        <source>Device</source>
        <translation>Périphérique</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="117"/>
        <source>Where the network runs: auto (the GPU when there is one), cpu, cuda or cuda:N.</source>
        <translation>Où le réseau s'exécute : auto (le GPU s'il y en a un), cpu, cuda ou cuda:N.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="459"/>
        <source>Data loading workers</source>
        <translation>Processus de chargement des données</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="459"/>
        <source>Processes preparing the tiles while the network trains; 0: the training process; auto: 0 on the CPU, up to 4 with a GPU.</source>
        <translation>Processus qui préparent les tuiles pendant que le réseau s'entraîne ; 0 : le processus d'entraînement ; auto : 0 sur le CPU, jusqu'à 4 avec un GPU.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="146"/>
        <source>Labels</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="715"/>
        <source>Model folder</source>
        <translation>Dossier du modèle</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="154"/>
        <source>The folder to write: the model (train), the report and its runs (compare).</source>
        <translation>Le dossier à écrire : le modèle (train), le rapport et ses entraînements (compare).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="161"/>
        <source>Label layer name</source>
        <translation>Nom de la couche d'étiquettes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="161"/>
        <source>The layer inside a multi-layer vector file (GeoPackage).</source>
        <translation>La couche à l'intérieur d'un fichier vecteur multicouche (GeoPackage).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="168"/>
        <source>Class field</source>
        <translation>Champ de classe</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="168"/>
        <source>Vector labels: the field holding the class (integer or text).</source>
        <translation>Étiquettes vecteur : le champ qui contient la classe (entier ou texte).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="1008"/>
        <source>Class table</source>
        <translation>Table des classes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="175"/>
        <source>The classes&apos; values, names and colours (JSON); empty: found in the labels.</source>
        <translation>Les valeurs, noms et couleurs des classes (JSON) ; vide : tirés des étiquettes.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="181"/>
        <source>Mode</source>
        <translation>Mode</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="181"/>
        <source>Binary (one class against the rest) or multiclass.</source>
        <translation>Binaire (une classe contre le reste) ou multiclasse.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="189"/>
        <source>Unlabelled pixels are background</source>
        <translation>Pixels non étiquetés traités comme fond</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="189"/>
        <source>Pixels outside every polygon are background (automatic: yes in binary mode, no otherwise).</source>
        <translation>Les pixels hors de tout polygone sont du fond (automatique : oui en mode binaire, non sinon).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="198"/>
        <source>Loss</source>
        <translation>Perte</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="198"/>
        <source>A loss of the catalog (docs/losses.md); empty: the mode&apos;s default.</source>
        <translation>Une perte du catalogue (docs/losses.md) ; vide : celle par défaut du mode.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="205"/>
        <source>Loss parameters</source>
        <translation>Paramètres de la perte</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="205"/>
        <source>The loss parameters as JSON, e.g. {&quot;gamma&quot;: 2.0}.</source>
        <translation>Les paramètres de la perte en JSON, par ex. {&quot;gamma&quot;: 2.0}.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="212"/>
        <source>Training area</source>
        <translation>Zone d'entraînement</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="212"/>
        <source>Polygons limiting training: pixels outside them are unlabelled.</source>
        <translation>Polygones qui limitent l'entraînement : les pixels à l'extérieur sont non étiquetés.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="218"/>
        <source>Training area layer name</source>
        <translation>Nom de la couche de la zone d'entraînement</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="218"/>
        <source>The layer inside a multi-layer training-area file.</source>
        <translation>La couche à l'intérieur d'un fichier multicouche de zone d'entraînement.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="225"/>
        <source>Validation area</source>
        <translation>Zone de validation</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="225"/>
        <source>Polygons holding the validation tiles (instead of random spatial blocks).</source>
        <translation>Polygones contenant les tuiles de validation (au lieu de blocs spatiaux aléatoires).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="231"/>
        <source>Validation area layer name</source>
        <translation>Nom de la couche de la zone de validation</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="231"/>
        <source>The layer inside a multi-layer validation-area file.</source>
        <translation>La couche à l'intérieur d'un fichier multicouche de zone de validation.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="238"/>
        <source>Architecture</source>
        <translation>Architecture</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="238"/>
        <source>The network: U-Net, DeepLabV3+ or Attention U-Net.</source>
        <translation>Le réseau : U-Net, DeepLabV3+ ou U-Net à attention.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="833"/>
        <source>Attention U-Net</source>
        <translation>U-Net à attention</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="245"/>
        <source>Encoder</source>
        <translation>Encodeur</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="245"/>
        <source>The network&apos;s encoder (any segmentation-models-pytorch encoder name).</source>
        <translation>L'encodeur du réseau (tout nom d'encodeur de segmentation-models-pytorch).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="251"/>
        <source>Encoder weights</source>
        <translation>Poids de l'encodeur</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="274"/>
        <source>Epochs</source>
        <translation>Époques</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="274"/>
        <source>Passes over the training tiles.</source>
        <translation>Passages sur les tuiles d'entraînement.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="281"/>
        <source>Batch size</source>
        <translation>Taille de lot</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="281"/>
        <source>Tiles per training step.</source>
        <translation>Tuiles par pas d'entraînement.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="288"/>
        <source>Tile size</source>
        <translation>Taille des tuiles</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="288"/>
        <source>Side of the training tiles, in pixels (a multiple of 32).</source>
        <translation>Côté des tuiles d'entraînement, en pixels (un multiple de 32).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="296"/>
        <source>Stride</source>
        <translation>Pas</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="296"/>
        <source>Distance between training tiles, in pixels; 0: the tile size (no overlap).</source>
        <translation>Distance entre les tuiles d'entraînement, en pixels ; 0 : la taille des tuiles (sans recouvrement).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="305"/>
        <source>Learning rate</source>
        <translation>Taux d'apprentissage</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="305"/>
        <source>The optimizer&apos;s (AdamW) step size.</source>
        <translation>La taille de pas de l'optimiseur (AdamW).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="333"/>
        <source>Weight decay</source>
        <translation>Décroissance des poids</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="333"/>
        <source>AdamW&apos;s weight decay (regularization).</source>
        <translation>La décroissance des poids d'AdamW (régularisation).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="341"/>
        <source>Validation fraction</source>
        <translation>Part de validation</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="341"/>
        <source>Share of the spatial blocks held out for validation.</source>
        <translation>Part des blocs spatiaux mis de côté pour la validation.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="349"/>
        <source>Split block side</source>
        <translation>Côté des blocs de partition</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="349"/>
        <source>Side of the split&apos;s spatial blocks, in tiles (the test set&apos;s unit in a comparison).</source>
        <translation>Côté des blocs spatiaux de la partition, en tuiles (l'unité du jeu de test dans une comparaison).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="359"/>
        <source>Minimum labelled share</source>
        <translation>Part étiquetée minimale</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="381"/>
        <source>Normalization</source>
        <translation>Normalisation</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="381"/>
        <source>Per band: mean and standard deviation, or a 2–98 % percentile clip to [0, 1].</source>
        <translation>Par bande : moyenne et écart type, ou écrêtage aux centiles 2–98 % ramené à [0, 1].</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="381"/>
        <source>mean / std</source>
        <translation>moyenne / écart type</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="381"/>
        <source>percentiles</source>
        <translation>centiles</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="389"/>
        <source>Augmentation</source>
        <translation>Augmentation</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="389"/>
        <source>none; basic: flips and 90° rotations; advanced: also brightness, contrast, gamma and noise.</source>
        <translation>aucune ; de base : symétries et rotations de 90° ; avancée : aussi luminosité, contraste, gamma et bruit.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="389"/>
        <source>basic</source>
        <translation>de base</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="389"/>
        <source>advanced</source>
        <translation>avancée</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="402"/>
        <source>Class weighting</source>
        <translation>Pondération des classes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="402"/>
        <source>Weights of the classes in the loss: none, inverse or median frequency.</source>
        <translation>Pondération des classes dans la perte : aucune, fréquence inverse ou fréquence médiane.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="402"/>
        <source>inverse frequency</source>
        <translation>fréquence inverse</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="402"/>
        <source>median frequency</source>
        <translation>fréquence médiane</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="422"/>
        <source>Early stopping patience</source>
        <translation>Patience de l'arrêt anticipé</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="422"/>
        <source>Stop after this many epochs without a better validation mIoU; 0: never.</source>
        <translation>Arrêter après ce nombre d'époques sans meilleur mIoU de validation ; 0 : jamais.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="431"/>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="431"/>
        <source>Continue from the checkpoint in the model folder.</source>
        <translation>Reprendre depuis le point de contrôle du dossier du modèle.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="438"/>
        <source>Deterministic</source>
        <translation>Déterministe</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="438"/>
        <source>Deterministic algorithms: repeatable results, slower on a GPU.</source>
        <translation>Algorithmes déterministes : résultats reproductibles, plus lent sur un GPU.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="444"/>
        <source>Keep the raster in memory</source>
        <translation>Garder le raster en mémoire</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="444"/>
        <source>auto: when it takes under 512 MiB; always; never (read tiles from disk).</source>
        <translation>automatique : s'il occupe moins de 512 Mio ; toujours ; jamais (tuiles lues sur le disque).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="444"/>
        <source>auto</source>
        <translation>automatique</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="444"/>
        <source>always</source>
        <translation>toujours</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="444"/>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="1014"/>
        <source>Random seed</source>
        <translation>Graine aléatoire</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="457"/>
        <source>Seed of the split, the tiles&apos; order and the network&apos;s initial weights.</source>
        <translation>Graine de la partition, de l'ordre des tuiles et des poids initiaux du réseau.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="715"/>
        <source>A model folder written by training.</source>
        <translation>Un dossier de modèle écrit par l'entraînement.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="540"/>
        <source>Prediction</source>
        <translation>Prédiction</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="547"/>
        <source>Extent</source>
        <translation>Emprise</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="547"/>
        <source>xmin,ymin,xmax,ymax to predict (empty: the whole raster).</source>
        <translation>xmin,ymin,xmax,ymax à prédire (vide : le raster entier).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="553"/>
        <source>Extent CRS</source>
        <translation>SCR de l'emprise</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="553"/>
        <source>The CRS of the extent, e.g. EPSG:4326 (empty: the raster&apos;s).</source>
        <translation>Le SCR de l'emprise, par ex. EPSG:4326 (vide : celui du raster).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="560"/>
        <source>Only inside polygons</source>
        <translation>Seulement à l'intérieur des polygones</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="560"/>
        <source>Polygons: predict inside them only (outside is nodata).</source>
        <translation>Polygones : prédire seulement à l'intérieur (à l'extérieur : nodata).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="566"/>
        <source>Mask layer name</source>
        <translation>Nom de la couche de masque</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="566"/>
        <source>The layer inside a multi-layer mask file.</source>
        <translation>La couche à l'intérieur d'un fichier de masque multicouche.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="573"/>
        <source>Confidence raster</source>
        <translation>Raster de confiance</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="573"/>
        <source>Also write &lt;output&gt;_confidence.tif, the top class&apos;s probability.</source>
        <translation>Écrire aussi &lt;output&gt;_confidence.tif, la probabilité de la classe retenue.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="592"/>
        <source>Class polygons</source>
        <translation>Polygones de classes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="592"/>
        <source>Also write &lt;output&gt;.gpkg, one polygon per patch of a class.</source>
        <translation>Écrire aussi &lt;output&gt;.gpkg, un polygone par zone d'une classe.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="597"/>
        <source>Polygon simplification</source>
        <translation>Simplification des polygones</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="597"/>
        <source>Simplification tolerance of the class polygons, in CRS units; 0: none.</source>
        <translation>Tolérance de simplification des polygones de classes, en unités du SCR ; 0 : aucune.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="614"/>
        <source>Blending</source>
        <translation>Fusion</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="614"/>
        <source>How overlapping tiles are blended: gaussian, linear ramp or plain average.</source>
        <translation>Comment les tuiles qui se recouvrent sont fondues : gaussienne, rampe linéaire ou simple moyenne.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="614"/>
        <source>gaussian</source>
        <translation>gaussienne</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="614"/>
        <source>linear</source>
        <translation>linéaire</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="614"/>
        <source>none (average)</source>
        <translation>aucune (moyenne)</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="641"/>
        <source>Prediction tile size</source>
        <translation>Taille des tuiles de prédiction</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="652"/>
        <source>Prediction batch size</source>
        <translation>Taille de lot de prédiction</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="652"/>
        <source>Tiles per forward pass; 0: as many as make 0.25 MP (CPU) or 2 MP (GPU).</source>
        <translation>Tuiles par passe avant ; 0 : autant qu'il en faut pour 0,25 MP (CPU) ou 2 MP (GPU).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="660"/>
        <source>Probability raster</source>
        <translation>Raster de probabilités</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="660"/>
        <source>Also write &lt;output&gt;_probabilities.tif, one band per class.</source>
        <translation>Écrire aussi &lt;output&gt;_probabilities.tif, une bande par classe.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="666"/>
        <source>Resample to the training resolution</source>
        <translation>Rééchantillonner à la résolution d'entraînement</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="666"/>
        <source>Warp the raster to the resolution the model was trained on first.</source>
        <translation>Rééchantillonner d'abord le raster à la résolution sur laquelle le modèle a été entraîné.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="825"/>
        <source>Baseline</source>
        <translation>Référence</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="825"/>
        <source>The configuration the gains are measured against; empty: ce_only, else the first.</source>
        <translation>La configuration par rapport à laquelle les gains sont mesurés ; vide : ce_only, sinon la première.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="833"/>
        <source>Second architecture</source>
        <translation>Seconde architecture</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="833"/>
        <source>Also train the best configuration with this network, to check the choice holds.</source>
        <translation>Entraîner aussi la meilleure configuration avec ce réseau, pour vérifier que le choix tient.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="842"/>
        <source>Runs per configuration</source>
        <translation>Entraînements par configuration</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="842"/>
        <source>Training runs (seeds) per configuration: 1 is quick but leaves training variance out.</source>
        <translation>Entraînements (graines) par configuration : 1 est rapide mais omet la variance d'entraînement.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="851"/>
        <source>Test fraction</source>
        <translation>Part de test</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="851"/>
        <source>Share of the spatial blocks held out as the test set the verdict uses.</source>
        <translation>Part des blocs spatiaux mis de côté comme jeu de test sur lequel porte le verdict.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="137"/>
        <source>Bands</source>
        <translation>Bandes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="137"/>
        <source>The raster bands the network reads, in this order, e.g. 4,3,2 (from 1); empty: all.</source>
        <translation>Les bandes du raster que lit le réseau, dans cet ordre, par ex. 4,3,2 (à partir de 1) ; vide : toutes.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="251"/>
        <source>auto: the encoder&apos;s pretrained weights (downloaded once); none: random; a name or a file.</source>
        <translation>auto : les poids pré-entraînés de l'encodeur (téléchargés une fois) ; none : aléatoires ; un nom ou un fichier.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="259"/>
        <source>Weights cache</source>
        <translation>Cache des poids</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="259"/>
        <source>Folder of downloaded weights; empty: the plugin&apos;s folder in the QGIS profile.</source>
        <translation>Dossier des poids téléchargés ; vide : le dossier de l'extension dans le profil QGIS.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="266"/>
        <source>Start from model</source>
        <translation>Partir du modèle</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="266"/>
        <source>Fine-tune this model folder: its network and weights (it needs the same bands); empty: none.</source>
        <translation>Affine ce dossier de modèle : son réseau et ses poids (mêmes bandes requises) ; vide : aucun.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="312"/>
        <source>Frozen encoder epochs</source>
        <translation>Époques à encodeur gelé</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="312"/>
        <source>Keep the encoder&apos;s weights fixed for this many first epochs; 0: train it from the start.</source>
        <translation>Garde les poids de l'encodeur fixes pendant ce nombre de premières époques ; 0 : l'entraîner dès le début.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="322"/>
        <source>Encoder learning rate factor</source>
        <translation>Facteur du taux d'apprentissage de l'encodeur</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="322"/>
        <source>The encoder learns at the learning rate times this factor (e.g. 0.1 when fine-tuning).</source>
        <translation>L'encodeur apprend au taux d'apprentissage multiplié par ce facteur (par ex. 0,1 pour un affinage).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="359"/>
        <source>Grid tiles with a smaller share of labelled pixels are skipped.</source>
        <translation>Les tuiles de la grille ayant une part plus faible de pixels étiquetés sont ignorées.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="367"/>
        <source>Tile placement</source>
        <translation>Placement des tuiles</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="367"/>
        <source>grid: every stride pixels; labels: centred on labelled pixels; auto: labels for sparse labels.</source>
        <translation>grille : tous les « pas » pixels ; étiquettes : centrées sur les pixels étiquetés ; auto : étiquettes quand elles sont éparses.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="367"/>
        <source>grid</source>
        <translation>grille</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="367"/>
        <source>on the labels</source>
        <translation>sur les étiquettes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="413"/>
        <source>Tile sampling</source>
        <translation>Tirage des tuiles</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="413"/>
        <source>uniform: each tile once per epoch; class balanced: rare classes drawn as often as others.</source>
        <translation>uniforme : chaque tuile une fois par époque ; équilibré : les classes rares tirées aussi souvent que les autres.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="413"/>
        <source>uniform</source>
        <translation>uniforme</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="413"/>
        <source>class balanced</source>
        <translation>équilibré par classe</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="531"/>
        <source>Rasters</source>
        <translation>Images</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="129"/>
        <source>The images to train on (GeoTIFF, VRT or any GDAL raster), with the same bands.</source>
        <translation>Les images d'entraînement (GeoTIFF, VRT ou tout raster GDAL), aux mêmes bandes.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="146"/>
        <source>Class polygons or a class raster: one for all the rasters, or one per raster.</source>
        <translation>Polygones de classes ou raster de classes : un pour tous les rasters, ou un par raster.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="531"/>
        <source>The images to predict, with the bands the model was trained on.</source>
        <translation>Les images à prédire, avec les bandes sur lesquelles le modèle a été entraîné.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="540"/>
        <source>The class raster (GeoTIFF) to write; several rasters: a folder for them.</source>
        <translation>Le raster de classes (GeoTIFF) à écrire ; plusieurs rasters : un dossier pour eux.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="951"/>
        <source>Class raster</source>
        <translation>Raster de classes</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="894"/>
        <source>The map to assess: a prediction, or any raster of class values.</source>
        <translation>La carte à évaluer : une prédiction, ou tout raster de valeurs de classe.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="901"/>
        <source>Reference data</source>
        <translation>Données de référence</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="901"/>
        <source>Points or polygons with a class field, or a class raster, that the model never saw.</source>
        <translation>Points ou polygones avec un champ de classe, ou raster de classes, que le modèle n'a jamais vus.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="910"/>
        <source>Reference layer name</source>
        <translation>Nom de la couche de référence</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="910"/>
        <source>The layer inside a multi-layer reference file (GeoPackage).</source>
        <translation>La couche dans un fichier de référence à plusieurs couches (GeoPackage).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="917"/>
        <source>Reference class field</source>
        <translation>Champ de la classe de référence</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="917"/>
        <source>Vector reference: the field holding the true class (value or name).</source>
        <translation>Référence vecteur : le champ qui porte la vraie classe (valeur ou nom).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="1008"/>
        <source>The classes&apos; values and names (JSON); empty: those the prediction holds.</source>
        <translation>Les valeurs et noms des classes (JSON) ; vide : ceux de la prédiction.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="930"/>
        <source>Report folder</source>
        <translation>Dossier du rapport</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="930"/>
        <source>The folder to write: confusion matrix (CSV), figures (JSON), report (HTML).</source>
        <translation>Le dossier à écrire : matrice de confusion (CSV), chiffres (JSON), rapport (HTML).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="951"/>
        <source>The map to sample: a prediction, or any raster of class values.</source>
        <translation>La carte à échantillonner : une prédiction, ou tout raster de valeurs de classe.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="958"/>
        <source>Sample points</source>
        <translation>Points d'échantillon</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="958"/>
        <source>The point GeoPackage to write, with an empty reference field to fill in.</source>
        <translation>Le GeoPackage de points à écrire, avec un champ de référence vide à remplir.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="965"/>
        <source>Target standard error</source>
        <translation>Erreur type visée</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="965"/>
        <source>The standard error of the overall accuracy the sample should give.</source>
        <translation>L'erreur type de la précision globale que l'échantillon doit donner.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="973"/>
        <source>Expected user&apos;s accuracy</source>
        <translation>Précision pour l'utilisateur attendue</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="973"/>
        <source>The user&apos;s accuracy expected of each class (0.5 gives the largest sample).</source>
        <translation>La précision pour l'utilisateur attendue de chaque classe (0,5 donne le plus grand échantillon).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="981"/>
        <source>Expected accuracy per class</source>
        <translation>Précision attendue par classe</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="981"/>
        <source>Classes expected to differ, by name or value, as JSON, e.g. {&quot;water&quot;: 0.95}.</source>
        <translation>Les classes dont on attend une autre précision, par nom ou valeur, en JSON, par exemple {&quot;water&quot;: 0.95}.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="987"/>
        <source>Minimum points per class</source>
        <translation>Points minimum par classe</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="987"/>
        <source>Each class gets at least this many; the rest follows the classes&apos; areas.</source>
        <translation>Chaque classe en reçoit au moins autant ; le reste suit les surfaces des classes.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="994"/>
        <source>Sample size</source>
        <translation>Taille de l'échantillon</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="994"/>
        <source>The number of points; 0: from the target standard error.</source>
        <translation>Le nombre de points ; 0 : d'après l'erreur type visée.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="1002"/>
        <source>Reference field name</source>
        <translation>Nom du champ de référence</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="1002"/>
        <source>The empty text field the points get, for the true class of each.</source>
        <translation>Le champ texte vide que reçoivent les points, pour la vraie classe de chacun.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="1014"/>
        <source>Seed of the random draw: the same seed and map give the same points.</source>
        <translation>Graine du tirage aléatoire : la même graine et la même carte donnent les mêmes points.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="521"/>
        <source>A model folder written by training; on the command line also an .onnx file from export-onnx.</source>
        <translation>Un dossier de modèle écrit par l'entraînement ; en ligne de commande, aussi un fichier .onnx d'export-onnx.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="603"/>
        <source>Tile margin</source>
        <translation>Marge des tuiles</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="603"/>
        <source>Pixels neighbouring tiles share (a multiple of 32), blended so that no seam shows; 0: none.</source>
        <translation>Pixels communs aux tuiles voisines (un multiple de 32), fondus pour qu’aucune couture ne se voie ; 0 : aucun.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="641"/>
        <source>Largest tile side in pixels (a multiple of 32); 0: 1024, or the training tile if larger.</source>
        <translation>Plus grand côté de tuile en pixels (un multiple de 32) ; 0 : 1024, ou la tuile d’entraînement si elle est plus grande.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="723"/>
        <source>ONNX file</source>
        <translation>Fichier ONNX</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="723"/>
        <source>The .onnx file to write; empty: model.onnx in the model folder.</source>
        <translation>Le fichier .onnx à écrire ; vide : model.onnx dans le dossier du modèle.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="730"/>
        <source>Deepness tile size</source>
        <translation>Taille des tuiles Deepness</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="730"/>
        <source>Deepness&apos;s tile side in pixels (a multiple of 32); 0: 512, or the training tile if larger.</source>
        <translation>Côté des tuiles de Deepness en pixels (un multiple de 32) ; 0 : 512, ou la tuile d'entraînement si elle est plus grande.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="740"/>
        <source>Deepness tile overlap</source>
        <translation>Recouvrement des tuiles Deepness</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="740"/>
        <source>Pixels neighbouring tiles share in Deepness (a multiple of 32), written as a share of a tile.</source>
        <translation>Pixels que partagent des tuiles voisines dans Deepness (un multiple de 32), écrits en part d'une tuile.</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="578"/>
        <source>Uncertainty raster</source>
        <translation>Raster d'incertitude</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="578"/>
        <source>Also write &lt;output&gt;_entropy.tif (0 sure, 1 unsure) and/or &lt;output&gt;_margin.tif (top-2 margin).</source>
        <translation>Écrire aussi &lt;output&gt;_entropy.tif (0 sûr, 1 incertain) et/ou &lt;output&gt;_margin.tif (écart entre les deux premières probabilités).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="578"/>
        <source>entropy</source>
        <translation>entropie</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="578"/>
        <source>top-two margin</source>
        <translation>écart entre les deux premières</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="578"/>
        <source>entropy and margin</source>
        <translation>entropie et écart</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="626"/>
        <source>Test-time augmentation</source>
        <translation>Augmentation à la prédiction</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="626"/>
        <source>Average each tile&apos;s probabilities over flipped or rotated copies (one more pass per copy).</source>
        <translation>Moyenner les probabilités de chaque tuile sur des copies retournées ou tournées (une passe de plus par copie).</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="626"/>
        <source>4 flips</source>
        <translation>4 retournements</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="626"/>
        <source>4 rotations</source>
        <translation>4 quarts de tour</translation>
    </message>
    <message>
        <location filename="../core/common/config.py" line="626"/>
        <source>8 flips and rotations</source>
        <translation>8 retournements et rotations</translation>
    </message>
</context>
</TS>

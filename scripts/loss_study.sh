#!/usr/bin/env bash
# Re-runs the loss studies of docs/loss-study.md on the two sample data sets (`make data`).
#
#   scripts/loss_study.sh OUTPUT_FOLDER [DEVICE] [PYTHON]
#
# Every configuration is a separate `compare` process writing its runs into the same report folder
# (they share the split, which depends only on the data and the seed), all at once; a last `compare`
# with every configuration then reuses those runs, trains the second architecture and writes the
# whole report. The same report comes from one `compare` command with every configuration, one run
# after another: this only uses a GPU's idle time.
set -euo pipefail
out=${1:?usage: scripts/loss_study.sh OUTPUT_FOLDER [DEVICE] [PYTHON]}
device=${2:-auto}
python=${3:-.venv/bin/python}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$out"

common=(--epochs 20 --learning-rate 0.001 --runs 3 --block-tiles 1 --device "$device")
landcover=(--raster data/landcover/landsat_multiband.tif --labels data/landcover/strata.tif
    --classes docs/examples/landcover_classes.json --tile-size 32 --output-dir "$out/landcover")
buildings=(--raster data/buildings/sample_geotiff.tif --labels data/buildings/geotiff_labels.geojson
    --mode binary --tile-size 128 --output-dir "$out/buildings")
presets=(equal ce_dominant dice_dominant focal_dominant ce_only dice_only focal_only)
binary_extra=(binary_focal_tversky binary_focal_plus_tversky binary_dual_focal)

study() {  # name, configurations (comma-separated), then the study's own arguments
    local name=$1 losses=$2
    shift 2
    local pids=()
    for loss in ${losses//,/ }; do
        "$python" -m segmentation_trainer compare "$@" "${common[@]}" --losses "$loss" \
            >"$out/$name.$loss.log" 2>&1 &
        pids+=($!)
    done
    wait "${pids[@]}"
}

presets_list=$(IFS=,; echo "${presets[*]}")
binary_list=$(IFS=,; echo "${presets[*]} ${binary_extra[*]}" | tr ' ' ,)
study landcover "$presets_list" "${landcover[@]}" &
study buildings "$binary_list" "${buildings[@]}" &
wait
"$python" -m segmentation_trainer compare "${landcover[@]}" "${common[@]}" --losses "$presets_list" \
    --second-architecture deeplabv3plus >"$out/landcover.log" 2>&1 &
"$python" -m segmentation_trainer compare "${buildings[@]}" "${common[@]}" --losses "$binary_list" \
    >"$out/buildings.log" 2>&1 &
wait

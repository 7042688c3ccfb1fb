# Segmentation Trainer: set-up, demo, tests and packaging. `make demo` and `make test` do everything
# on a fresh Debian 12 machine (they run `make setup` and `make data` first).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PACKAGE := segmentation_trainer
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PYTHON := /usr/bin/python3
DATA := data
DIST := dist
APT_PACKAGES := qgis python3-qgis qgis-providers python3-venv xvfb qttools5-dev-tools pyqt5-dev-tools zip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
QGIS_PLUGINS := $(HOME)/.local/share/QGIS/QGIS3/profiles/default/python/plugins
# Files and folders that make up the installed plugin (everything else is for development).
PLUGIN_FILES := __init__.py __main__.py plugin.py metadata.txt icon.svg LICENSE README.md docs/references.md core losses tasks ui provider i18n requirements/worker.txt

export QT_QPA_PLATFORM ?= offscreen

.PHONY: help setup apt venv link data demo test test-worker test-qgis lint zip repository deploy transcompile translations screenshots clean

help:
	@echo "make demo   set up, then train and predict on the real land-cover sample"
	@echo "make test   set up, then run the whole test suite"
	@echo "make setup | data | lint | zip | repository | deploy | transcompile | clean"

setup: apt venv link

apt:  ## Debian packages: installs only what is missing
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "apt: installing $$missing"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements/worker.txt requirements/dev.txt
	@[ -x $(PY) ] || $(SYSTEM_PYTHON) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install --quiet -r requirements/worker.txt -r requirements/dev.txt
	@touch $@

link:  ## the checkout importable as `segmentation_trainer`, whatever its folder is called
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	[ "$$(readlink $$site/$(PACKAGE))" = "$(CURDIR)" ] || ln -sfn "$(CURDIR)" "$$site/$(PACKAGE)"

data: $(DATA)/.fetched

$(DATA)/.fetched: scripts/fetch_sample_data.py | venv
	$(PY) scripts/fetch_sample_data.py $(DATA)
	@touch $@

demo: setup data  ## train on the land-cover sample, predict the whole image, print the model's metrics
	$(PY) -m $(PACKAGE) train --raster $(DATA)/landcover/landsat_multiband.tif --labels $(DATA)/landcover/strata.tif \
		--classes docs/examples/landcover_classes.json --mode multiclass --architecture unet --encoder resnet34 \
		--epochs 60 --tile-size 128 --stride 64 --learning-rate 0.001 --output-dir outputs/demo/model
	$(PY) -m $(PACKAGE) predict --model outputs/demo/model --raster $(DATA)/landcover/landsat_multiband.tif \
		--output outputs/demo/prediction.tif
	$(PY) -m $(PACKAGE) info --model outputs/demo/model

# The worker side (torch, rasterio) and the QGIS side run in separate processes, as in real use.
test: setup data test-worker test-qgis

test-worker:  ## offline: the tests serve encoder weights from a stand-in hub of their own
	HF_HUB_OFFLINE=1 $(PY) -m pytest tests/core tests/losses

test-qgis: transcompile
	HF_HUB_OFFLINE=1 $(PY) -m pytest tests/tasks tests/ui tests/provider tests/test_plugin.py tests/test_architecture.py tests/test_install.py

lint: venv
	$(VENV)/bin/ruff check .

transcompile:
	@for ts in i18n/*.ts; do [ -e "$$ts" ] && lrelease -silent "$$ts" || true; done

zip: transcompile
	rm -rf $(DIST)/$(PACKAGE) $(DIST)/$(PACKAGE).zip
	mkdir -p $(DIST)/$(PACKAGE)
	cp -r --parents $(PLUGIN_FILES) $(DIST)/$(PACKAGE)/
	find $(DIST)/$(PACKAGE) \( -name __pycache__ -o -name '*.pyc' -o -name '*.ts' \) -prune -exec rm -rf {} +
	cd $(DIST) && zip -q -r $(PACKAGE).zip $(PACKAGE)
	$(SYSTEM_PYTHON) ../shared/tools/check_plugin_zip.py $(DIST)/$(PACKAGE).zip 2>/dev/null || \
		[ ! -e ../shared/tools/check_plugin_zip.py ]

REPOSITORY_URL ?= file://$(CURDIR)/$(DIST)
repository: zip  ## dist/plugins.xml beside the zip: a custom plugin repository served from REPOSITORY_URL
	$(SYSTEM_PYTHON) scripts/plugin_repository.py $(DIST)/$(PACKAGE).zip --url $(REPOSITORY_URL)

deploy: transcompile
	mkdir -p "$(QGIS_PLUGINS)"
	ln -sfn "$(CURDIR)" "$(QGIS_PLUGINS)/$(PACKAGE)"
	@echo "Linked into $(QGIS_PLUGINS)/$(PACKAGE); enable it in QGIS > Plugins > Manage and Install Plugins."

# The pictures of docs/: real QGIS under Xvfb, in a profile of its own where the plugin is enabled.
SHOT_PROFILE := outputs/qgis-profiles/profiles/default
screenshots: setup data transcompile
	mkdir -p $(SHOT_PROFILE)/python/plugins $(SHOT_PROFILE)/QGIS
	ln -sfn "$(CURDIR)" $(SHOT_PROFILE)/python/plugins/$(PACKAGE)
	printf '[PythonPlugins]\n$(PACKAGE)=true\n' > $(SHOT_PROFILE)/QGIS/QGIS3.ini
	SEGTRAINER_ROOT="$(CURDIR)" SEGMENTATION_TRAINER_PYTHON="$(CURDIR)/$(PY)" QT_QPA_PLATFORM=xcb \
		xvfb-run -a -s "-screen 0 1600x1000x24" qgis --profiles-path outputs/qgis-profiles --nologo \
		--noversioncheck --code scripts/qgis_screenshots.py

clean:
	rm -rf $(DIST) outputs .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -exec rm -rf {} +

translations:  ## refresh i18n/*.ts from the sources (then translate them, e.g. with Qt Linguist)
	pylupdate5 -noobsolete plugin.py ui/*.py ui/*.ui tasks/*.py provider/*.py core/common/*.py losses/catalog.py losses/presets.py -ts i18n/segmentation_trainer_fr.ts

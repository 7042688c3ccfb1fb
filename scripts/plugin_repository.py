"""Write ``plugins.xml`` beside the plugin zip: the file a custom QGIS plugin repository serves.

    python scripts/plugin_repository.py dist/segmentation_trainer.zip --url https://example.org/qgis

``--url`` is where the zip and ``plugins.xml`` are served from (a folder's URL; ``file://`` works for a local
folder). Users add ``<url>/plugins.xml`` in QGIS > Plugins > Manage and Install Plugins > Settings >
Add… (and tick "Show also experimental plugins" while the plugin is experimental). The entry is read from the
zip's own ``metadata.txt``, so it always describes the zip it points to (`make repository` does both).
"""

from __future__ import annotations

import argparse
import configparser
import datetime
import zipfile
from pathlib import Path
from xml.etree import ElementTree

FIELDS = {  # plugins.xml element: metadata.txt key
    "description": "description",
    "about": "about",
    "version": "version",
    "qgis_minimum_version": "qgisMinimumVersion",
    "homepage": "homepage",
    "author_name": "author",
    "repository": "repository",
    "tracker": "tracker",
    "tags": "tags",
    "experimental": "experimental",
    "deprecated": "deprecated",
}


def metadata(zip_path: Path) -> tuple[str, configparser.SectionProxy]:
    """The plugin's folder name in the zip and its ``metadata.txt`` [general] section."""
    with zipfile.ZipFile(zip_path) as archive:
        name = archive.namelist()[0].split("/")[0]
        text = archive.read(f"{name}/metadata.txt").decode("utf-8")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return name, parser["general"]


def repository_xml(zip_path: Path, url: str) -> str:
    """``plugins.xml`` for the plugin zip at ``zip_path``, served from ``url``."""
    name, general = metadata(zip_path)
    root = ElementTree.Element("plugins")
    plugin = ElementTree.SubElement(root, "pyqgis_plugin", name=general["name"], version=general["version"])
    for element, key in FIELDS.items():
        ElementTree.SubElement(plugin, element).text = general.get(key, "").strip()
    ElementTree.SubElement(plugin, "qgis_maximum_version").text = general.get("qgisMaximumVersion", "3.99")
    ElementTree.SubElement(plugin, "file_name").text = zip_path.name
    ElementTree.SubElement(plugin, "download_url").text = f"{url.rstrip('/')}/{zip_path.name}"
    today = datetime.date.today().isoformat()
    for element in ("create_date", "update_date"):
        ElementTree.SubElement(plugin, element).text = today
    ElementTree.SubElement(plugin, "server").text = "False"
    if name != zip_path.stem:
        raise SystemExit(f"The zip {zip_path.name} must be named after its folder {name} (QGIS installs it so).")
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("zip", type=Path, help="the plugin zip (make zip)")
    parser.add_argument("--url", required=True, help="where the zip and plugins.xml are served from")
    args = parser.parse_args()
    target = args.zip.with_name("plugins.xml")
    target.write_text(repository_xml(args.zip, args.url), encoding="utf-8")
    print(f"{target}: {args.zip.name} served from {args.url}")


if __name__ == "__main__":
    main()

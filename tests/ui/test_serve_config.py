"""The Voila server's configuration: the local template and page config (no CDN), without starting a server."""

from __future__ import annotations

import os

from workbench.ui._serve import TEMPLATE, TEMPLATES, local_page_config, server_config, with_templates


def test_the_server_uses_the_workbench_template_and_the_local_page_config() -> None:
    voila = server_config("t", 0)["VoilaConfiguration"]
    assert voila["template"] == TEMPLATE
    assert voila["page_config_hook"] is local_page_config


def test_the_page_config_drops_the_mathjax_cdn_and_keeps_the_rest() -> None:
    given = {"baseUrl": "/", "fullMathjaxUrl": "https://cdnjs.cloudflare.com/x.js", "mathjaxConfig": "TeX"}
    assert local_page_config(given, base_url="/") == {"baseUrl": "/", "fullMathjaxUrl": "null", "mathjaxConfig": "null"}


def test_the_template_folder_goes_first_on_the_jupyter_path_once() -> None:
    env = with_templates({"JUPYTER_PATH": os.pathsep.join(["/a", str(TEMPLATES)]), "HOME": "/h"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(TEMPLATES), "/a"]
    assert env["HOME"] == "/h"
    assert with_templates({})["JUPYTER_PATH"] == str(TEMPLATES)


def test_the_template_extends_voilas_lab_template_and_links_nothing_outside() -> None:
    folder = TEMPLATES / "voila" / "templates" / TEMPLATE
    text = (folder / "index.html.j2").read_text(encoding="utf-8")
    assert "extends 'voila/templates/lab/index.html.j2'" in text
    assert "https://" not in text
    assert '"base_template": "lab"' in (folder / "conf.json").read_text(encoding="utf-8")

"""The JupyterLab server behind ``workbench lab``: token from the environment, nothing fetched from the network.

``workbench lab`` runs ``python -m workbench.cli._lab_serve <jupyter arguments>`` with the
token in ``$WORKBENCH_LAB_TOKEN``. This module takes the token out of the environment before
a kernel starts (so it never shows on a command line and no kernel inherits it), hands it
to jupyter_server's ``IdentityProvider`` and starts JupyterLab with the arguments of
:func:`workbench.cli._lab.lab_arguments`:

- bound to 127.0.0.1, no other port tried, no browser opened by Jupyter (``workbench lab``
  opens its own URL);
- the kernel ``eval-workbench`` as the default for new notebooks;
- no announcements feed, no update check and the read-only extension manager (the default
  one searches PyPI): JupyterLab makes no request to the internet;
- the announcements plugin disabled (:func:`without_announcements`): no toast asking whether
  to fetch Jupyter's news.

jupyter_server's defaults do the rest: every request needs the token (a signed login cookie
keeps it after the first page), a ``Host`` that is a loopback address or ``localhost``, and
for writes and websockets this server's own ``Origin``.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from workbench.cli._lab import TOKEN_ENV

ANNOUNCEMENTS = "@jupyterlab/apputils-extension:announcements"
"""JupyterLab's plugin that asks "Would you like to get notified about official Jupyter news?" and fetches them."""


def without_announcements(_handler: Any, page_config: dict[str, Any]) -> dict[str, Any]:
    """jupyterlab_server's ``page_config_hook``: the announcements plugin disabled (no news toast, no news fetched)."""
    disabled = list(page_config.get("disabledExtensions", []))
    return {
        **page_config,
        "disabledExtensions": [*disabled, ANNOUNCEMENTS] if ANNOUNCEMENTS not in disabled else disabled,
    }


def main(argv: list[str] | None = None) -> None:
    """Start JupyterLab with ``argv`` and the token from the environment (see the module's doc)."""
    token = os.environ.pop(TOKEN_ENV, "")
    from jupyterlab.labapp import LabApp

    warnings.filterwarnings("ignore", "ServerApp.token config is deprecated", DeprecationWarning)

    args = sys.argv[1:] if argv is None else argv
    serverapp = LabApp.initialize_server(argv=args)
    serverapp.identity_provider.token = token
    serverapp.web_app.settings["page_config_hook"] = without_announcements
    serverapp.start()


if __name__ == "__main__":
    main()

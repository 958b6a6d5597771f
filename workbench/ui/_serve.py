"""The Voila server behind ``workbench ui``: token, ``Host``/``Origin`` checks and idle-kernel culling.

``workbench ui`` runs ``python -m workbench.ui._serve <voila arguments>`` with the token in
``$WORKBENCH_UI_TOKEN``. This module takes the token out of the environment (so no kernel
inherits it and it never shows on a command line), then starts Voila with jupyter_server's
own mechanisms configured:

- ``Voila.token``: every page, API and websocket request needs the token (``?token=`` once;
  jupyter_server then keeps a signed login cookie). An empty token turns authentication off
  (``workbench ui --no-token``, for trusted setups only).
- ``allow_remote_access=False``: jupyter_server refuses (403) a request whose ``Host`` is not
  a loopback address or ``localhost``, which defeats DNS rebinding.
- no ``allow_origin``: a cross-origin ``POST`` or websocket (``Origin`` other than the
  ``Host``) is refused unless it carries the token itself.
- ``MappingKernelManager.cull_idle_timeout`` with ``cull_connected=False``: a page's kernel
  that no browser is connected to and that has been idle that long is shut down: a closed or
  crashed browser may never say goodbye.
- ``VoilaConfiguration.prelaunch_hook`` sets the ``_xsrf`` cookie on the page. Voila's page asks
  for its kernel's shutdown when it unloads (a ``sendBeacon`` POST carrying that cookie's value),
  but the standalone server never sets the cookie, so the request was refused with 403 and
  every closed tab left its kernel running (voila-dashboards/voila#1458).
- Nothing from another host: the page uses the ``workbench`` template (Voila's ``lab`` template
  without its Font Awesome stylesheets from jsdelivr; the fonts are in Voila's bundle), found
  through ``$JUPYTER_PATH`` (:data:`TEMPLATES`), and ``VoilaConfiguration.page_config_hook`` clears
  the MathJax 2 URL Voila points at cdnjs, so the page typesets with the MathJax 3 it bundles.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

TOKEN_ENV = "WORKBENCH_UI_TOKEN"
"""The token ``workbench ui`` hands to the server ("" or absent: no token)."""
IDLE_ENV = "WORKBENCH_UI_KERNEL_IDLE"
"""Seconds a kernel with no browser connected may stay idle before it is shut down (0: never)."""
DEFAULT_KERNEL_IDLE = 600
TEMPLATE = "workbench"
TEMPLATES = Path(__file__).resolve().parent / "_jupyter"
"""A Jupyter data folder holding ``voila/templates/workbench`` (put first on ``$JUPYTER_PATH``)."""


def cull_interval(idle_timeout: int) -> int:
    """How often (seconds) the culler looks for idle kernels: a fraction of the timeout, 1 to 60 s."""
    return max(1, min(60, idle_timeout // 4))


def set_xsrf_cookie(handler: Any, notebook: Any = None, cwd: str | None = None) -> None:
    """Voila's prelaunch hook: give the page its ``_xsrf`` cookie (tornado sets it on first use of the token).

    The page's unload beacon sends the cookie's value back: without it Voila refuses the kernel's shutdown.
    """
    _ = handler.xsrf_token


def local_page_config(page_config: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Voila's page config hook: no MathJax from cdnjs (``"null"`` makes the page use its bundled MathJax 3)."""
    return page_config | {"fullMathjaxUrl": "null", "mathjaxConfig": "null"}


def with_templates(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` with :data:`TEMPLATES` first on ``$JUPYTER_PATH`` (where Voila looks for templates)."""
    paths = [p for p in environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(TEMPLATES)]
    return environ | {"JUPYTER_PATH": os.pathsep.join([str(TEMPLATES), *paths])}


def server_config(token: str, idle_timeout: int) -> dict[str, Any]:
    """The traitlets configuration of the Voila server (plain dicts, real booleans).

    Args:
        token: the token every request must show ("" for none).
        idle_timeout: seconds before an idle kernel without a browser is culled (0: never).
    """
    config: dict[str, Any] = {
        "VoilaConfiguration": {
            "prelaunch_hook": set_xsrf_cookie,
            "page_config_hook": local_page_config,
            "template": TEMPLATE,
        },
        "Voila": {
            "token": token,
            # Voila's standalone server sets allow_remote_access=True; its tornado_settings win over that.
            "tornado_settings": {
                "allow_remote_access": False,
                "local_hostnames": ["localhost"],
                "allow_origin": "",
                "allow_origin_pat": "",
                "disable_check_xsrf": False,
            },
        },
    }
    if idle_timeout > 0:
        config["MappingKernelManager"] = {
            "cull_idle_timeout": idle_timeout,
            "cull_interval": cull_interval(idle_timeout),
            "cull_connected": False,
            "cull_busy": False,
        }
    return config


def main(argv: list[str] | None = None) -> None:
    """Start Voila with ``argv`` and the configuration from the environment (see the module's doc)."""
    from traitlets.config import Config
    from voila.app import Voila

    token = os.environ.pop(TOKEN_ENV, "")
    idle = int(os.environ.pop(IDLE_ENV, str(DEFAULT_KERNEL_IDLE)) or 0)
    os.environ.update(with_templates(dict(os.environ)))
    Voila.launch_instance(argv=sys.argv[1:] if argv is None else argv, config=Config(server_config(token, idle)))


if __name__ == "__main__":
    main()

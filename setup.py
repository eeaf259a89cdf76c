"""The wheel's layout, which pyproject.toml cannot state by itself: the repository's
top-level packages are installed under ``flashmob/``.

The folders stay at the top of the repository (``conductor/``, ``tools/``,
``contract/``); in the wheel they become ``flashmob/conductor/`` ... so that only
one name, ``flashmob``, lands in site-packages (``tools`` or ``conductor`` would
collide with other distributions). The web client (``client_web/``) is shipped
whole as ``flashmob/client_web/``. What goes in is listed in one place,
pyproject.toml's ``[tool.flashmob.wheel]``; a listed folder is picked up once it
has an ``__init__.py``. docs/architecture.md, "Layout", tells the whole story.
"""

from __future__ import annotations

import os
import tomllib

from setuptools import find_namespace_packages, find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def wheel_rules() -> dict:
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as fh:
        return tomllib.load(fh)["tool"]["flashmob"]["wheel"]


def layout(rules: dict, root: str = HERE) -> dict:
    """setup() arguments: ``packages``, ``package_dir``, ``package_data``."""
    packages = ["flashmob", *(f"flashmob.{sub}" for sub in find_packages(os.path.join(root, "flashmob")))]
    package_dir, package_data = {"flashmob": "flashmob"}, {}
    for name in rules["packages"]:
        if not os.path.isfile(os.path.join(root, name, "__init__.py")):
            continue  # listed ahead of its arrival, or gone
        package_dir[f"flashmob.{name}"] = name
        for pkg in [name, *(f"{name}.{sub}" for sub in find_packages(os.path.join(root, name)))]:
            packages.append(f"flashmob.{pkg}")
            package_data[f"flashmob.{pkg}"] = list(rules["package-data"])
    for name in rules["data"]:  # every folder of it is a (namespace) package of data files
        package_dir[f"flashmob.{name}"] = name
        for pkg in [name, *(f"{name}.{sub}" for sub in find_namespace_packages(os.path.join(root, name)))]:
            packages.append(f"flashmob.{pkg}")
            package_data[f"flashmob.{pkg}"] = ["*"]
    return {"packages": packages, "package_dir": package_dir, "package_data": package_data}


if __name__ == "__main__":
    setup(**layout(wheel_rules()))

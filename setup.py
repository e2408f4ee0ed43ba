"""Build hook for setuptools; everything else is in pyproject.toml.

The till's resources (stylesheet, icons, sounds) stay in the top-level resources/ folder
of the source tree and ship in the wheel as the package data folder pos_app/_resources.
setuptools' declarative package discovery cannot add a package that lives outside
pos_app/, so the package list is computed here. pos_app/ui/resources.py finds the folder
in either place.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["pos_app*"]), "pos_app._resources"],
    package_dir={"pos_app._resources": "resources"},
)

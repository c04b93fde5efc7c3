"""Every package folder is declared in pyproject.toml, so a non-editable install ships it."""
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOP = {"cfgvm": "cfgvm", "grammar": "cfgvm.grammar", "stdlib_modules": "cfgvm.stdlib"}


def test_all_packages_declared():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for folder, dotted in TOP.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((dotted,) + rel))
    assert found - declared == set(), "add these to [tool.setuptools] packages"


def test_subpackages_import():
    import cfgvm.grammar  # noqa: F401
    import cfgvm.stdlib  # noqa: F401

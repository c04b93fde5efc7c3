"""The module library is imported as cfgvm.stdlib only: importing it also as `stdlib_modules` (possible
when the repo root is on sys.path) would create two copies of every module and its state."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_no_import_of_stdlib_modules_by_folder_name():
    bad = []
    for path in list(ROOT.glob("cfgvm/**/*.py")) + list(ROOT.glob("stdlib_modules/**/*.py")) + \
            list(ROOT.glob("tests/**/*.py")) + list(ROOT.glob("bench/*.py")):
        for n, line in enumerate(path.read_text(encoding="latin-1").splitlines(), 1):
            if re.match(r"\s*(from|import)\s+stdlib_modules\b", line):
                bad.append(f"{path.relative_to(ROOT)}:{n}")
    assert bad == [], "import cfgvm.stdlib instead"

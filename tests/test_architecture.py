"""Dependencies point one way (DESIGN.md §4): the domain core never imports the
presentation packages; only URL wiring and the portal's views may."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESENTATION = ("forms", "workflows")
# Modules of subsidy/ that may use forms: the applicant portal and the URL wiring.
ALLOWED = {"subsidy/urls.py", "subsidy/settings.py"}
ALLOWED_DIRS = ("subsidy/portal/",)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_core_does_not_import_forms_or_workflows():
    offenders = []
    for path in sorted((ROOT / "subsidy").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or relative.startswith(ALLOWED_DIRS):
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in PRESENTATION:
                offenders.append(f"{relative} imports {module}")
    assert offenders == []


def test_forms_do_not_import_workflows():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "forms").rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] == "workflows"
    ]
    assert offenders == []

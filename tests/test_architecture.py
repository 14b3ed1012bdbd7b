"""The arrows between the apps run one way (DESIGN.md rules 16 and 17), read from the source.

Every `import` and `from … import` is parsed with `ast`, including those inside functions, so a
lazy import cannot hide a dependency.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "consortia"
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").is_file())


def _modules(app: str):
    for path in sorted((PACKAGE / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path):
    """(line, imported module, imported names) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            yield node.lineno, module, tuple(alias.name for alias in node.names)


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "consortia" or len(parts) < 2:
        return None
    return parts[1]


def _violations(app: str, forbidden) -> list[str]:
    found = []
    for path in _modules(app):
        for line, module, names in _imports(path):
            targets = [module] + [f"{module}.{name}" for name in names]
            for target in targets:
                other = _app_of(target)
                if other is not None and other != app and forbidden(other):
                    found.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}")
                    break
    return found


def test_it_finds_the_apps_and_their_imports():
    # The checks below would pass vacuously if the walk found nothing.
    assert {"core", "networks", "decisions", "sharing"} <= set(APPS)
    imported = {m for p in _modules("networks") for _, m, _ in _imports(p)}
    assert "consortia.core.events" in imported
    assert "consortia.networks.models" in {
        m for _, m, _ in _imports(PACKAGE / "networks" / "selectors.py")
    }


def test_core_knows_no_domain_app():
    # core may use Django and itself; `consortia.api`, `urls`, `cli` and the apps know core.
    assert _violations("core", lambda other: True) == []


def test_networks_knows_nothing_of_voting():
    # Decisions plug into admission through networks.admission (the registry), not the reverse.
    assert _violations("networks", lambda other: other == "decisions") == []


def test_decisions_knows_nothing_of_sharing():
    assert _violations("decisions", lambda other: other == "sharing") == []


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_another_apps_private_names(app):
    found = []
    for path in _modules(app):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        foreign_modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _app_of(node.module or "") not in (None, app):
                for alias in node.names:
                    if alias.name.startswith("_"):
                        found.append(f"{path.name}:{node.lineno} {node.module}.{alias.name}")
                    elif alias.name[0].islower():  # a module or function, not a model's _meta
                        foreign_modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if _app_of(alias.name) not in (None, app):
                        foreign_modules.add(alias.asname or alias.name.split(".")[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign_modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []

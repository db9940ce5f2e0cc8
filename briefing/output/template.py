"""A template: its folder and its `template.yaml` (files, fonts per language), by name or path."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.errors import InputError
from briefing.input_files import check_regular
from briefing.yamlsource.positions import load_yaml
from briefing.yamlsource.problems import problems_from_validation


def bundled_templates() -> Path:
    """The folder of the bundled templates: the top-level templates/ of the source tree.

    pyproject.toml maps it into the package as `briefing.templates`, so importlib.resources
    finds it in a wheel (a real folder, once installed) and in an editable install alike. A
    source tree that is only on the path (PYTHONPATH, as the tests run the command) installs
    no mapping: there the folder is found beside the package.
    """
    try:
        return Path(str(files("briefing.templates")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent.parent / "templates"


TEMPLATES_DIR = bundled_templates()


class Fonts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    body: str
    headings: str


class TemplateConfig(BaseModel):
    """`template.yaml` beside a template: which files it uses and its fonts per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    document: str = "document.xml.j2"
    reference: str = "reference.docx"
    fonts: dict[str, Fonts] = {}


@dataclass(frozen=True)
class Template:
    directory: Path
    config: TemplateConfig
    locale_dirs: list[Path] = field(default_factory=list)

    @property
    def reference(self) -> Path:
        return self.directory / self.config.reference

    def files(self) -> list[Path]:
        """Everything the template's output depends on, for change detection."""
        return sorted(p for p in self.directory.rglob("*") if p.is_file())


def _check_inside(directory: Path, config_path: Path, key: str, name: str) -> None:
    """A file the template names must lie inside its folder, as for includes: no absolute
    path, no `..`, no symlink (of the file or a folder on its way) that leads out."""
    path = Path(name)
    root = directory.resolve()
    if (
        path.is_absolute()
        or path.drive
        or ".." in path.parts
        or (not (directory / path).resolve().is_relative_to(root))
    ):
        raise InputError(
            f"{config_path}: {key}: '{name}' is outside the template folder {directory}; "
            "a template may use only the files in its own folder"
        )


def find_template(name_or_path: str, search_dir: Path = TEMPLATES_DIR) -> Template:
    """A template by directory path, or by name among the bundled ones."""
    candidate = Path(name_or_path)
    directory = candidate if candidate.is_dir() else search_dir / name_or_path
    config_path = directory / "template.yaml"
    if not config_path.exists():  # anything else there is refused by the reader, unread
        known = sorted(p.name for p in search_dir.iterdir() if (p / "template.yaml").is_file())
        raise InputError(
            f"template '{name_or_path}' not found (looked for {config_path}); "
            f"available: {', '.join(known) or 'none'}"
        )
    loaded = load_yaml(config_path)
    try:
        config = TemplateConfig.model_validate(loaded.data)
    except ValidationError as err:
        raise InputError("", problems_from_validation(loaded, err, TemplateConfig)) from None
    for key, needed in (("document", config.document), ("reference", config.reference)):
        _check_inside(directory, config_path, key, needed)
        if not (directory / needed).exists():
            raise InputError(f"{config_path}: the template names '{needed}', which is missing")
        check_regular(directory / needed, "template files")
    locales = directory / "locales"
    return Template(directory, config, [locales] if locales.is_dir() else [])

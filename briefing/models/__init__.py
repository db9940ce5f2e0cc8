"""Translation models (Argos packages and converted CTranslate2 models of other families):
where they live, checking, installing, the index.

The command line, the translation stage and the tests use these names.
"""

from briefing.models.check import CODE_RE, DEFAULT_LIMITS, PackageLimits, check_package
from briefing.models.index import DEFAULT_INDEX_URL, DownloadProgress, IndexEntry, install_code
from briefing.models.install import InstallOutcome, install_file, remove_model
from briefing.models.store import (
    InstalledModel,
    configure_argos,
    find_model,
    in_use,
    installed_models,
    model_identity,
    resolve_models_dir,
    version_key,
)

__all__ = [
    "CODE_RE",
    "DEFAULT_INDEX_URL",
    "DEFAULT_LIMITS",
    "IndexEntry",
    "InstallOutcome",
    "InstalledModel",
    "PackageLimits",
    "DownloadProgress",
    "check_package",
    "configure_argos",
    "find_model",
    "in_use",
    "install_code",
    "install_file",
    "installed_models",
    "model_identity",
    "remove_model",
    "resolve_models_dir",
    "version_key",
]

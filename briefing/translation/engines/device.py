"""Where the in-process engine decodes: `device = "auto" | "cpu" | "cuda"`, `compute_type`,
`intra_threads` (briefing.toml [translation], or --device).

`auto` takes CUDA when CTranslate2 reports a CUDA device and the CPU otherwise, and says which
it chose and why, for the build output. Asking for `cuda` where CTranslate2 sees none is an
error that says so, never a silent fall back to the CPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from briefing.errors import InputError
from briefing.workspace.fields import TranslationSettings

#: CTranslate2's compute types: "auto" takes the fastest the device supports, "default" keeps
#: the model's own (int8 for Argos packages).
COMPUTE_TYPES = (
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)


@dataclass(frozen=True)
class Device:
    name: str  # cpu | cuda
    compute_type: str
    intra_threads: int  # 0: thread_layout's (argos.py)
    reason: str  # why this device, for the build output

    def describe(self) -> str:
        threads = f", {self.intra_threads} threads" if self.intra_threads else ""
        return f"{self.name} ({self.reason}; compute type {self.compute_type}{threads})"


def cuda_devices() -> int:
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # noqa: BLE001 - a CTranslate2 built without CUDA, or no driver
        return 0


def resolve_device(settings: TranslationSettings) -> Device:
    """The device to decode on, from the settings' device, compute_type and intra_threads (the
    settings have checked the device's name and the threads' bounds); an unknown compute type,
    more threads than the machine has cores or a CUDA request without CUDA is an error."""
    device, compute_type = settings.device, settings.compute_type
    if compute_type not in COMPUTE_TYPES:
        raise InputError(
            f"unknown compute type {compute_type!r}; choose one of {', '.join(COMPUTE_TYPES)}"
        )
    cores = os.cpu_count() or 1
    if settings.intra_threads > cores:
        # Threads beyond the cores only take turns with each other and starve the rest of the
        # process, Ctrl-C's handler included.
        raise InputError(
            f"intra_threads {settings.intra_threads} (setting translation.intra_threads, "
            f"--intra-threads or BRIEFING_INTRA_THREADS) is more than this machine's {cores} "
            f"CPU cores; give at most {cores}, or 0 for one thread in each of one translator "
            "per core"
        )
    count = cuda_devices()
    if device == "cuda" and count == 0:
        raise InputError(
            "device cuda was asked for, but CTranslate2 finds no CUDA device on this machine "
            "(get_cuda_device_count() is 0: no NVIDIA GPU, driver or CUDA libraries); "
            "use --device cpu, or --device auto to take a GPU only when there is one"
        )
    if device == "auto":
        name = "cuda" if count > 0 else "cpu"
        reason = f"auto: {count} CUDA device{'s' if count != 1 else ''} found"
    else:
        name, reason = device, "as configured"
    return Device(name, compute_type, settings.intra_threads, reason)

"""The facts stage: a facts file read with positions and validated into `Facts`."""

"""What every benchmark result records about where and how it was measured, so that each table
in benchmarks/README.md carries its date, CPU, cores, SIMD level and command."""

from __future__ import annotations

import os
import platform
import sys
import time

import trajarena as ta


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def stamp() -> dict:
    """Date, CPU, cores, the kernels' SIMD level and the command as run from the project's root."""
    script = os.path.join("benchmarks", os.path.basename(sys.argv[0]))
    info = ta.build_info()
    return {"date": time.strftime("%Y-%m-%d"), "cpu": cpu_name(), "cores": info["cores"],
            "simd": info["simd"], "command": " ".join(["python", script, *sys.argv[1:]])}

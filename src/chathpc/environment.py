"""``environment_report``: what ``chathpc env`` prints (the probes of ``chathpc.system`` and the sandbox level).

It sits above both ``system`` (plain probes) and ``harness`` (which uses those probes), so neither
imports the other in a circle.
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict

from chathpc import __version__
from chathpc.harness.sandbox import isolation_level
from chathpc.system import ML_PACKAGES, accelerators, bwrap_path, clang_tidy_path, core_count, mpi_info, package_version


def environment_report(probe_devices: bool = True) -> dict:
    """Everything ``chathpc env`` prints, as a JSON-serializable dict."""
    mpi = mpi_info()
    return {
        "chathpc": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": core_count(),
        "packages": {name: package_version(name) for name in ML_PACKAGES},
        "accelerators": asdict(accelerators()) if probe_devices else None,
        "mpi": {**asdict(mpi), "available": mpi.available},
        "sandbox": {
            "bwrap": bwrap_path(),
            "clang_tidy": clang_tidy_path(),
            "root": os.geteuid() == 0,
            "isolation": isolation_level("auto"),
        },
    }

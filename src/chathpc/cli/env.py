"""``chathpc env``: what this machine offers for training, generation and verification."""

from __future__ import annotations

import argparse
import json
import sys

from chathpc.cli.options import add_json_option
from chathpc.environment import environment_report

ORDER = 90


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("env", help="show versions, devices, MPI and sandbox tools")
    add_json_option(parser, "the report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = environment_report()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    if not report["mpi"]["available"]:
        print(
            "chathpc: MPI not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev), "
            "or load your site's MPI module, so that mpicc and mpirun are on PATH",
            file=sys.stderr,
        )
        return 1
    return 0


def format_report(report: dict) -> str:
    """The env report as aligned text."""
    rows = [
        ("chathpc", report["chathpc"]),
        ("python", report["python"]),
        ("platform", report["platform"]),
        ("cores", str(report["cores"])),
    ]
    rows += [(name, version or "not installed") for name, version in report["packages"].items()]
    acc = report["accelerators"] or {}
    if acc.get("note"):
        rows.append(("accelerators", acc["note"]))
    else:
        rows.append(("cuda", ", ".join(acc.get("cuda") or []) or "none"))
        rows.append(("mps", "yes" if acc.get("mps") else "no"))
    mpi = report["mpi"]
    rows.append(("mpicc", mpi["mpicc"] or "not found"))
    rows.append(("mpirun", mpi["mpirun"] or "not found"))
    rows.append(("mpi", f"{mpi['implementation']} {mpi['version']}" if mpi["implementation"] else "unknown"))
    box = report["sandbox"]
    rows.append(("bubblewrap", box["bwrap"] or "not installed"))
    rows.append(("clang-tidy", box["clang_tidy"] or "not installed"))
    if "isolation" in box:
        rows.append(("isolation", box["isolation"]))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)

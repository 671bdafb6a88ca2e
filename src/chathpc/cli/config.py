"""``chathpc config show``: the resolved run config and where each value came from."""

from __future__ import annotations

import argparse
import json

import yaml

from chathpc.cli.options import add_config_options, add_json_option, config_from_args

ORDER = 92


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="inspect the resolved run config")
    verbs = parser.add_subparsers(dest="config_verb", metavar="ACTION", required=True, parser_class=type(parser))
    show = verbs.add_parser("show", help="print the resolved config with each value's source")
    add_config_options(show)
    add_json_option(show, "the config and the sources ({config, sources})")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    resolved = config_from_args(args)
    values = resolved.config.model_dump(mode="json")
    if args.json:
        print(json.dumps({"config": values, "sources": resolved.sources, "file": resolved.file}, indent=2))
        return 0
    print(f"# resolved from: defaults < {resolved.file or '(no file)'} < CHATHPC_* env < --set")
    for section, fields in values.items():
        print(f"{section}:")
        for key, value in fields.items():
            text = yaml.safe_dump({key: value}, default_flow_style=True, width=1000).strip()[1:-1]
            print(f"  {text:<60} # {resolved.sources[f'{section}.{key}']}")
    return 0

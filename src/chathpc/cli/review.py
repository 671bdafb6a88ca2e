"""``chathpc review``: a local web page to read, edit, re-check and accept answers into refinement data."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_bug_hunting_options, add_config_options, add_output_option, config_from_args

ORDER = 54
DEFAULT_PORT = 8750


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("review", help="review answers in the browser: edit, re-check, accept into a refinement file",
                            description="Serve a local page over RESULTS: filter items, read the sequential program and the "
                                        "candidates side by side with their verdicts, edit a candidate, Check it with the "
                                        "harness under the results' settings, Accept it (only when that exact program "
                                        "passed) into the refinement file, Rate or Reject answers. Prints the page's URL "
                                        "with a per-run token; Ctrl-C stops it (everything decided is already written).")
    parser.add_argument("results", nargs="+", metavar="RESULTS", help="results JSON Lines file(s) from verify/test/compare/recheck")
    add_output_option(parser, "refinement file that accepted answers are appended to (default: RESULTS with .refine.jsonl, "
                              "beside the first results file); statuses and ratings go beside it in FILE.review.json",
                      metavar="FILE", alias="--refine-out")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--reviewer", metavar="NAME", help="who accepts and rates (default: $USER)")
    parser.add_argument("--tasks", metavar="DIR", help="the task directory the items name (default: the built-in suite)")
    add_config_options(parser)
    add_bug_hunting_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from chathpc.errors import ChathpcError
    from chathpc.review import ReviewSession, default_refine_out
    from chathpc.review.app import ReviewServer

    if not 0 <= args.port <= 65535:
        raise ChathpcError(f"--port must be 0-65535, got {args.port}")
    config = config_from_args(args).config
    refine_out = args.out or str(default_refine_out(args.results[0]))
    session = ReviewSession(args.results, refine_out, harness=config.harness, schedule=config.schedule, reviewer=args.reviewer,
                            tasks_root=args.tasks)
    server = ReviewServer(session, host=args.host, port=args.port)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach it and has the token can run programs here", file=sys.stderr)
    print(f"{len(session.items)} item(s) from {', '.join(args.results)}; accepted answers go to {session.refine_out}", flush=True)
    print(f"open {server.url}   (Ctrl-C stops)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:  # the way to stop a server: everything decided is already written
        pass
    print(f"stopped; accepted answers are in {session.refine_out}, statuses and ratings in {session.state_file}", file=sys.stderr)
    return 0

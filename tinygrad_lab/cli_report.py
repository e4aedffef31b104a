"""The ``report`` and ``submit`` commands: the report folder (trained in worker processes, or
re-rendered from results.json), and the zip handed in.

A Ctrl-C during ``report`` ends it with one line and status 130, the folder as it was."""

import os
import sys

from .cli_checks import UsageError, check_replaceable_folder
from .files import LateInterrupt, interrupted_once

RESULTS = "results.json"  # what marks a folder as a report's, safe to replace


def command_report(args):
    """Build the report folder (``build.write_report``), or with ``--from`` render it again
    (``build.rerender``); 130 on Ctrl-C, after the workers and temporary files are gone."""
    if args.out is not None:
        out = args.out
    elif args.results is not None:  # re-render in place
        out = os.path.dirname(args.results) or "."
    else:
        out = "report"
    with interrupted_once():  # a second Ctrl-C must not break off the cleanup of the first
        try:
            return report(args, out)
        except KeyboardInterrupt as error:
            state = "is complete" if isinstance(error, LateInterrupt) else "is as it was"
            print(f"tinygrad-lab: interrupted; {out} {state}", file=sys.stderr)
            return 130


def report(args, out):
    from .lab import build  # matplotlib and Typst are loaded only here

    if args.results is not None:
        for flag, given in (("--quick", args.quick), ("--seeds", args.seeds is not None),
                            ("--jobs", args.jobs is not None)):
            if given:
                raise UsageError(f"{flag} sets up training, and --from trains nothing")
        build.check_typst()
        check_replaceable_folder(out, RESULTS)
        build.rerender(args.results, out, author=args.author, student_id=args.student_id,
                       log=sys.stderr)
        return 0
    build.check_report_extras()  # refuse before any run, rather than after them
    check_replaceable_folder(out, RESULTS)
    seeds = args.seeds if args.seeds is not None else (2 if args.quick else 5)
    build.write_report(out, seeds=seeds, quick=args.quick, jobs=args.jobs, log=sys.stderr,
                       meta=build.make_meta(args.author, args.student_id))
    return 0


def command_submit(args):
    """Write DLP_LAB1_<ID>_<NAME>.zip (``submit.write_submission``) and say what it holds."""
    from .lab import submit

    path, entries = submit.write_submission(args.report, args.student_id, args.name, args.out)
    print(f"wrote {path}: report.pdf and {len(entries) - 1} files of source code")
    return 0

"""Ending quietly when the reader of standard output goes away, as in ``tinygrad-lab lab | head``.

Python's own recipe (the ``signal`` module's docs, "Note on SIGPIPE"): catch BrokenPipeError,
point standard output at the null device so that the interpreter's last flush cannot fail again,
and exit. The status is 141, what a shell reports for a Unix tool that SIGPIPE ended (``yes |
head``): the output was cut short, which 0 would hide, and it is not one of our errors (1, 2).
"""

import contextlib
import os
import sys

BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE (13)


def reader_gone():
    """Point standard output at the null device (what is still buffered is dropped) and return
    BROKEN_PIPE_STATUS, for a caller that caught BrokenPipeError writing to standard output."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return BROKEN_PIPE_STATUS


@contextlib.contextmanager
def quiet_broken_pipe():
    """``with quiet_broken_pipe():`` around a script's printing: standard output is flushed at
    the end of the block, and a BrokenPipeError inside it (the reader left) ends the program
    with SystemExit(BROKEN_PIPE_STATUS) instead of a traceback."""
    try:
        yield
        sys.stdout.flush()  # inside: a reader that left during the last lines is caught too
    except BrokenPipeError:
        raise SystemExit(reader_gone()) from None

"""Running the ``tinygrad-lab`` command in a child process and interrupting it, for the tests."""

import os
import signal
import subprocess
import sys

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}  # lines reach the pipe as they are printed


def interrupt_on_line(args, cwd, prefix, stream, timeout):
    """Start ``tinygrad-lab ARGS``; send SIGINT once ``stream`` ("stdout" or "stderr") prints a
    line starting with ``prefix``. Returns (status, stdout, stderr), each output whole."""
    process = subprocess.Popen([sys.executable, "-m", "tinygrad_lab", *map(str, args)], cwd=cwd,
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        seen = []
        for line in getattr(process, stream):  # blocks until each line arrives; no sleeping
            seen.append(line)
            if line.startswith(prefix):
                break
        else:
            other = process.stderr if stream == "stdout" else process.stdout
            raise AssertionError(f"no line starting {prefix!r} on {stream}: " + "".join(seen)
                                 + other.read())
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if stream == "stdout":
        stdout = "".join(seen) + stdout
    else:
        stderr = "".join(seen) + stderr
    return process.returncode, stdout, stderr

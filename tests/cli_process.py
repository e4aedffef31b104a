"""Running the ``tinygrad-lab`` command in a child process and interrupting it, and looking at
what it left (files, temporaries, processes), for the tests."""

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}  # lines reach the pipe as they are printed


@dataclass
class Interrupted:
    """What an interrupted command left: its status, its whole outputs, its process group."""
    status: int
    stdout: str
    stderr: str
    group: int  # the process group it ran in, its own (see ``live_processes``)


def interrupt_on_line(args, cwd, prefix, stream, timeout):
    """Start ``tinygrad-lab ARGS``; send SIGINT once ``stream`` ("stdout" or "stderr") prints a
    line starting with ``prefix``. Returns (status, stdout, stderr), each output whole."""
    done = interrupt_at(args, cwd, prefix, stream, timeout)
    return done.status, done.stdout, done.stderr


def interrupt_at(args, cwd, prefix, stream="stderr", timeout=120, to_group=False, times=1,
                 env=None):
    """Start ``tinygrad-lab ARGS`` in a process group of its own; once ``stream`` prints a line
    starting with ``prefix``, send SIGINT ``times`` times in a row, to the process or, as a
    terminal's Ctrl-C does, to its whole group (``to_group``). Waits until it has ended and its
    outputs are closed by every process that held them (its workers too). Returns Interrupted.
    """
    process = subprocess.Popen([sys.executable, "-m", "tinygrad_lab", *map(str, args)], cwd=cwd,
                               env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
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
        for _ in range(times):
            if to_group:
                os.killpg(process.pid, signal.SIGINT)
            else:
                process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    if stream == "stdout":
        stdout = "".join(seen) + stdout
    else:
        stderr = "".join(seen) + stderr
    return Interrupted(process.returncode, stdout, stderr, process.pid)


PF_EXITING = 0x4  # a /proc/PID/stat flag of the kernel's: the process is ending (see proc(5))


def live_processes(group):
    """The pids of the processes of process group ``group`` that are still running, read from
    /proc. One that is ending (PF_EXITING: its files are closed, its memory going) or has ended
    (a zombie, not yet reaped by its new parent) does not count."""
    live = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                stat = file.read()
        except OSError:  # it ended while we looked
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after it
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session tty tpgid flags
        state, pgrp, flags = fields[0], int(fields[2]), int(fields[6])
        if pgrp == group and state not in ("Z", "X") and not flags & PF_EXITING:
            live.append(int(entry))
    return live


def snapshot(folder):
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {os.path.relpath(os.path.join(top, name), folder):
            Path(top, name).read_bytes() for top, _, names in os.walk(folder) for name in names}


def temporaries(folder):
    """What a build may have left behind under ``folder``: any name ending in .tmp."""
    return [os.path.join(top, name) for top, dirs, names in os.walk(folder)
            for name in dirs + names if name.endswith(".tmp")]


def old_report(folder):
    """A small report folder standing in for an old one (results.json marks it as ours)."""
    (folder / "figures").mkdir(parents=True)
    (folder / "results.json").write_text('{"old": true}\n')
    (folder / "report.md").write_text("# the old report\n")
    (folder / "figures" / "old.png").write_bytes(b"\x89PNG old")
    return snapshot(folder)

"""Writing files and folders whole: into a temporary beside the target, then one atomic rename,
so that a failure or a Ctrl-C leaves the old target (or nothing) and no temporary behind."""

import contextlib
import errno
import os
import secrets
import shutil
import signal
import threading


class LateInterrupt(KeyboardInterrupt):
    """Ctrl-C while a finished folder was being moved into place: the folder is complete."""


@contextlib.contextmanager
def atomic_write(path):
    """Open a binary file that replaces ``path`` only if the ``with`` block ends without error.

    Readers see the old file or the new one, never a part; on error the temporary file is removed.
    Raises FileNotFoundError naming the folder if it does not exist.
    """
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "no such folder to write into", directory)
    temporary = None
    try:
        candidate = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        with held_interrupts():  # no Ctrl-C between creating the file and knowing to remove it
            # Mode 0o666 lets the umask decide the final permissions, as for any new file.
            descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            temporary = candidate
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        temporary = None
    finally:
        if temporary is not None:
            with held_interrupts(), contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


@contextlib.contextmanager
def atomic_folder(path):
    """Yield an empty temporary folder beside ``path`` (``.NAME-XXXX.tmp``); when the ``with``
    block ends without error it becomes ``path``, replacing what was there.

    On an error or a Ctrl-C inside the block, the temporary folder is removed and ``path`` is as
    it was; the missing parent folders this call created are removed too. A Ctrl-C during the
    final move is held until the move is done, then raised as ``LateInterrupt``. Raises OSError
    if the parent cannot be created or written.
    """
    path = os.path.abspath(os.fspath(path))
    parent, name = os.path.split(path)
    created, temporary, done = [], None, False
    try:
        with held_interrupts():
            created = make_folders(parent)
            temporary = make_temporary_folder(parent, name)
        yield temporary
        with held_interrupts(LateInterrupt):
            replace_folder(temporary, path)
            temporary, done = None, True
    finally:
        with held_interrupts():
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
            if not done:
                for folder in reversed(created):  # innermost first; only if still empty
                    with contextlib.suppress(OSError):
                        os.rmdir(folder)


def make_temporary_folder(parent, name):
    """Create and return an empty folder ``parent/.NAME-XXXXXXXX.tmp`` (permissions as the
    umask says, as for any new folder, unlike tempfile.mkdtemp's 0o700)."""
    while True:
        folder = os.path.join(parent, f".{name}-{secrets.token_hex(4)}.tmp")
        try:
            os.mkdir(folder, 0o777)
            return folder
        except FileExistsError:
            continue


def make_folders(path):
    """Create ``path`` and its missing parents; returns the folders created, outermost first."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    missing.reverse()
    created = []
    try:
        for folder in missing:
            os.mkdir(folder)
            created.append(folder)
    except BaseException:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise
    return created


def replace_folder(new, path):
    """Rename the folder ``new`` to ``path``: the old ``path``, if any, is renamed aside first
    and removed once the new one is in place (put back if that rename fails)."""
    old = None
    if os.path.lexists(path):
        parent, name = os.path.split(path)
        old = os.path.join(parent, f".{name}-{secrets.token_hex(4)}.old.tmp")
        os.rename(path, old)
    try:
        os.rename(new, path)
    except BaseException:
        if old is not None:
            os.rename(old, path)
        raise
    if old is not None:
        if os.path.isdir(old) and not os.path.islink(old):
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.unlink(old)


@contextlib.contextmanager
def held_interrupts(raise_as=KeyboardInterrupt):
    """Run the block with Ctrl-C held: a SIGINT that arrives meanwhile is acted on when the block
    ends (as the handler in place before would have, or, for Python's default handler, by raising
    ``raise_as``). Outside the main thread, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if previous in (signal.default_int_handler, signal.SIG_DFL, None):
                raise raise_as
            if callable(previous):
                try:
                    previous(signal.SIGINT, received[0])
                except KeyboardInterrupt:
                    raise raise_as from None


@contextlib.contextmanager
def interrupted_once():
    """Within the block, the first SIGINT raises KeyboardInterrupt and any later one is ignored,
    so that a second Ctrl-C cannot break off the cleanup the first one started. Outside the main
    thread, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    count = []

    def handler(number, frame):
        count.append(number)
        if len(count) == 1:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

"""Writing files whole: into a temporary file beside the target, then one atomic rename."""

import contextlib
import errno
import os
import secrets


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
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
    # Mode 0o666 lets the umask decide the final permissions, as for any new file.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise

"""What the command line refuses before any work: ``UsageError``, and the checks that a folder
or file named on the command line can be written."""

import os
import sys
import tempfile

from . import animate


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit status 2."""


def warn(message):
    """Say on stderr, in one line, that something asked for is not done; the run goes on."""
    print(f"tinygrad-lab: warning: {message}", file=sys.stderr)


def check_matplotlib(need):
    """Refuse, before any work, a command whose ``need`` (what it draws, e.g. "the lab's
    figures") needs matplotlib when matplotlib cannot be imported: ImportError with the install
    hint, which the command line prints as its one error line."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(f'{need} need matplotlib, which is not installed: pip install '
                          '"tinygrad-lab[plot]"') from None


def has_display():
    """Whether a window can be shown: macOS and Windows always, elsewhere an X or Wayland
    display (plot.new_figure draws with Agg, showing nothing, without one)."""
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_out_dir(path):
    """Create ``path`` if needed and make sure files can be written there."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"cannot write to --out {path}: it is a file, not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write to --out {path}: {error.strerror or error}") from None
    check_writable(path, f"cannot write to --out {path}")
    return path


def check_replaceable_folder(path, marker, option="--out"):
    """Refuse, before any work, a folder ``path`` (given as ``option``) that cannot be built
    beside its place and moved in whole (``files.atomic_folder``): one that is a file, holds the
    current folder, exists without holding ``marker`` (so it is not ours to replace), or whose
    nearest existing parent is a file or unwritable."""
    problem = f"cannot write to {option} {path}"
    absolute = os.path.abspath(path)
    if os.path.exists(absolute) and not os.path.isdir(absolute):
        raise UsageError(f"{problem}: it is a file, not a folder")
    here = os.getcwd()
    if os.path.commonpath([absolute, here]) == absolute:
        raise UsageError(f"{problem}: it holds the current folder, and the whole folder is "
                         "replaced")
    if os.path.isdir(absolute) and os.listdir(absolute) \
            and not os.path.isfile(os.path.join(absolute, marker)):
        raise UsageError(f"{problem}: it is a folder without {marker}, not one to replace; "
                         "choose another or empty it")
    parent = os.path.dirname(absolute)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise UsageError(f"{problem}: {parent} is a file, not a folder")
    check_writable(parent, problem)
    return path


def check_writable(folder, problem):
    """Raise UsageError starting with ``problem`` unless a file can be created in ``folder``."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UsageError(f"{problem}: {error.strerror or error}") from None


def check_save_path(path, option="--save"):
    """Refuse, before any work, a file path (given as ``option``) whose folder is missing or
    unwritable."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.basename(path):  # "" or "name/": abspath drops the "/" that says "a folder"
        raise UsageError(f"cannot save to {option} {path!r}: not a file name")
    if os.path.isdir(path):
        raise UsageError(f"cannot save to {option} {path}: it is a folder, not a file")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot save to {option} {path}: no such folder {folder}")
    check_writable(folder, f"cannot save to {option} {path}")
    return path


def check_animation_paths(path, names):
    """{name: the GIF to write} for ``--animate path`` (``FILE.gif``): ``path`` itself for one
    name, ``FILE-NAME.gif`` for each of several (the lab's datasets); {} for no path. Refuses,
    before any work, a name not ending in .gif, a GIF that cannot be written
    (``check_save_path``), and a missing GIF writer (ImportError)."""
    if path is None:
        return {}
    root, suffix = os.path.splitext(path)
    if suffix.lower() != ".gif":
        raise UsageError(f"cannot write --animate {path}: the animation is a GIF, so the name "
                         "must end in .gif")
    paths = {names[0]: path} if len(names) == 1 else {name: f"{root}-{name}.gif"
                                                       for name in names}
    for gif in paths.values():
        check_save_path(gif, "--animate")
    animate.check_writer()
    return paths

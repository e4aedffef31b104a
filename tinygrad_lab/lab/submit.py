"""The lab's hand-in: ``DLP_LAB1_<ID>_<NAME>.zip``, holding report.pdf and the source code (the
package's .py files, demos/, README.md, pyproject.toml), as the lab's spec names it."""

import os
import zipfile
from pathlib import Path

from ..files import atomic_write

ARCHIVE = "DLP_LAB1_{student_id}_{name}.zip"
PDF = "report.pdf"
PACKAGE = "tinygrad_lab"
PROJECT_FILES = ("README.md", "pyproject.toml")
SKIPPED = ("__pycache__",)  # folders never zipped, wherever they are


def archive_name(student_id, name):
    """``DLP_LAB1_<ID>_<NAME>.zip``, unicode kept; ValueError if the ID or name is empty or
    could name a path (a separator, "." or "..") or holds a control character."""
    for what, value in (("student ID", student_id), ("name", name)):
        if not value.strip():
            raise ValueError(f"the {what} is empty")
        if value in (".", "..") or any(sep and sep in value for sep in ("/", "\\", os.altsep)) \
                or not value.isprintable():
            raise ValueError(f"the {what} {value!r} looks like a path, not a plain {what}")
    return ARCHIVE.format(student_id=student_id, name=name)


def project_root():
    """The source checkout this package runs from: the folder holding pyproject.toml above
    ``tinygrad_lab/``. ValueError if there is none (an installed wheel, not a checkout)."""
    package = Path(__file__).resolve().parents[1]
    root = package.parent
    pyproject = root / "pyproject.toml"
    if package.name != PACKAGE or not pyproject.is_file() \
            or 'name = "tinygrad-lab"' not in pyproject.read_text(encoding="utf-8"):
        raise ValueError(f"submit zips the source code of a checkout, but {package} has no "
                         "tinygrad-lab pyproject.toml beside it (installed from a wheel?): run "
                         "it from a clone installed with pip install -e .")
    return root


def source_files(root):
    """The source code to hand in, as paths relative to ``root`` with "/" between parts,
    sorted: tinygrad_lab/**/*.py, every file of demos/, README.md and pyproject.toml; nothing
    in a __pycache__ folder, no compiled or hidden file."""
    root = Path(root)
    found = list((root / PACKAGE).rglob("*.py"))
    if (root / "demos").is_dir():
        found += [path for path in (root / "demos").rglob("*") if path.is_file()
                  and path.suffix != ".pyc"]
    relative = [path.relative_to(root) for path in found]
    kept = [path for path in relative if not any(part in SKIPPED or part.startswith(".")
                                                 for part in path.parts)]
    return sorted(path.as_posix() for path in kept) + \
        [name for name in PROJECT_FILES if (root / name).is_file()]


def write_submission(report_dir, student_id, name, out_dir="."):
    """Write ``archive_name(student_id, name)`` into ``out_dir`` (whole: a temporary file, then
    a rename): ``report.pdf`` from ``report_dir`` and ``source_files`` of ``project_root()``,
    with UTF-8 entry names. Returns (its path, the entry names).

    Raises ValueError for a bad ID or name, a report folder without report.pdf, a missing
    ``out_dir`` or no source checkout; OSError if writing fails.
    """
    filename = archive_name(student_id, name)
    pdf = os.path.join(report_dir, PDF)
    if not os.path.isfile(pdf):
        raise ValueError(f"no {PDF} in {report_dir}: write it first with tinygrad-lab report")
    with open(pdf, "rb") as file:
        if not file.read(5) == b"%PDF-":
            raise ValueError(f"{pdf} is not a PDF")
    if not os.path.isdir(out_dir):
        raise ValueError(f"cannot write the zip into {out_dir}: no such folder")
    root = project_root()
    entries = [(PDF, pdf)] + [(entry, root / entry) for entry in source_files(root)]
    path = os.path.normpath(os.path.join(out_dir, filename))
    with atomic_write(path) as file, \
            zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, source in entries:
            archive.write(source, entry)
    return path, [entry for entry, _ in entries]

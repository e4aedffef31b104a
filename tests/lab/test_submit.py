"""``tinygrad-lab submit``: DLP_LAB1_<ID>_<NAME>.zip holds report.pdf and the source code (the
package's .py files, demos/, README.md, pyproject.toml) and nothing built; it refuses bad names,
a report folder without its PDF, and a package that is not a source checkout.

The zip is built in this process from the checkout the tests run in; the two command-line tests
start a subprocess and are marked slow.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cli_process import ENV

from tinygrad_lab.lab import submit

ROOT = Path(submit.__file__).resolve().parents[2]
STUDENT_ID, NAME = "313551000", "王小明"
ZIP_NAME = f"DLP_LAB1_{STUDENT_ID}_{NAME}.zip"
PDF = b"%PDF-1.7\n% a stand-in for the report\n%%EOF\n"


@pytest.fixture
def report(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(PDF)
    return folder


def package_sources():
    """tinygrad_lab/**/*.py of the checkout, outside __pycache__, relative with "/"."""
    return {path.relative_to(ROOT).as_posix() for path in (ROOT / "tinygrad_lab").rglob("*.py")
            if "__pycache__" not in path.parts}


def test_the_zip_holds_the_pdf_and_the_source_code(report, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path, entries = submit.write_submission(report, STUDENT_ID, NAME, out)
    assert Path(path) == out / ZIP_NAME
    assert [p.name for p in out.iterdir()] == [ZIP_NAME]  # no temporary left beside it
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == entries and names[0] == "report.pdf"
        assert archive.read("report.pdf") == PDF
        assert archive.read("tinygrad_lab/engine/tensor.py") == \
            (ROOT / "tinygrad_lab" / "engine" / "tensor.py").read_bytes()
    assert {"README.md", "pyproject.toml", "demos/xor.py", "demos/linear.py",
            "tinygrad_lab/lab/submit.py"} <= set(names)
    assert {name for name in names if name.startswith("tinygrad_lab/")} == package_sources()
    assert len(names) == len(set(names))
    for name in names:
        assert not name.startswith(("/", "build/", "tests/", "tinygrad_lab.egg-info")), name
        assert "__pycache__" not in name and not name.endswith(".pyc"), name


def test_unicode_in_the_names_survives(report, tmp_path):
    path, _ = submit.write_submission(report, STUDENT_ID, "Zoë 李", tmp_path)
    assert Path(path).name == f"DLP_LAB1_{STUDENT_ID}_Zoë 李.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.read("report.pdf") == PDF


@pytest.mark.parametrize("student_id, name", [
    ("", NAME), ("  ", NAME), (STUDENT_ID, ""), ("/", NAME), ("..", NAME), (".", NAME),
    ("31/35", NAME), (STUDENT_ID, "../王小明"), (STUDENT_ID, "a\\b"), (STUDENT_ID, "a\nb"),
])
def test_an_empty_or_path_like_id_or_name_is_refused(report, tmp_path, student_id, name):
    with pytest.raises(ValueError, match="student ID" if name == NAME else "name"):
        submit.write_submission(report, student_id, name, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_report_folder_without_its_pdf_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no report.pdf in"):
        submit.write_submission(tmp_path / "empty", STUDENT_ID, NAME, tmp_path)
    (tmp_path / "empty" / "report.pdf").write_text("not a pdf")
    with pytest.raises(ValueError, match="is not a PDF"):
        submit.write_submission(tmp_path / "empty", STUDENT_ID, NAME, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_a_missing_out_folder_is_refused(report, tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        submit.write_submission(report, STUDENT_ID, NAME, tmp_path / "nowhere")


def test_an_installed_package_without_its_checkout_is_refused(report, tmp_path, monkeypatch):
    installed = tmp_path / "site-packages" / "tinygrad_lab" / "lab" / "submit.py"
    installed.parent.mkdir(parents=True)
    monkeypatch.setattr(submit, "__file__", str(installed))
    with pytest.raises(ValueError, match="pip install -e"):
        submit.write_submission(report, STUDENT_ID, NAME, tmp_path)
    assert not (tmp_path / ZIP_NAME).exists()


def test_the_project_root_is_this_checkout():
    assert submit.project_root() == ROOT
    assert (ROOT / "pyproject.toml").is_file()


@pytest.mark.slow
def test_submit_writes_the_zip_into_the_current_folder(report, tmp_path):
    result = subprocess.run([sys.executable, "-m", "tinygrad_lab", "submit", "--student-id",
                             STUDENT_ID, "--name", NAME], cwd=tmp_path, env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ZIP_NAME).is_file()
    assert result.stdout.startswith(f"wrote {ZIP_NAME}: report.pdf and "), result.stdout


@pytest.mark.slow
def test_submit_refuses_a_report_folder_without_a_pdf_in_one_line(tmp_path):
    (tmp_path / "report").mkdir()
    result = subprocess.run([sys.executable, "-m", "tinygrad_lab", "submit", "--student-id",
                             STUDENT_ID, "--name", NAME], cwd=tmp_path, env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tinygrad-lab: error: no report.pdf in report: write it first with tinygrad-lab report"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]

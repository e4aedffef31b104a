"""The training you can watch: Snapshots keeps evenly spaced copies of the weights, however long
the run; write_animation writes a GIF of them, whole or not at all."""

import os
import sys

import matplotlib
import numpy as np
import pytest
from PIL import Image

from tinygrad_lab import data, nn, optim
from tinygrad_lab.animate import MAX_FRAMES, Snapshots, check_writer, write_animation
from tinygrad_lab.train import fit

matplotlib.use("Agg")  # never open a window, even on a desktop

GIF_SIGNATURE = b"GIF89a"


def watched_run(epochs=12, max_frames=MAX_FRAMES):
    """A 3-class model trained ``epochs`` epochs on a small spiral with a Snapshots callback:
    (snapshots, x, y, history)."""
    rng = np.random.default_rng(0)
    angles = rng.uniform(0, 2 * np.pi, 30)
    x = np.column_stack([np.cos(angles), np.sin(angles)]) * rng.uniform(0.2, 1, (30, 1))
    y = (angles // (2 * np.pi / 3)).reshape(-1, 1)  # three sectors of the disc
    model = nn.MLP(2, (8,), out_features=3, activation="tanh", bias=True, rng=1)
    snapshots = Snapshots(model, max_frames=max_frames)
    history = fit(model, x, y, epochs=epochs, optimizer=optim.Adam(model.parameters(), lr=0.05),
                  log_every=None, callback=snapshots)
    return snapshots, x, y, history


def gif_frames(path):
    with Image.open(path) as image:
        return image.n_frames


# ---- Snapshots --------------------------------------------------------------------------------

def test_a_20000_epoch_run_keeps_at_most_max_frames_evenly_spaced():
    model = nn.MLP(2, (10, 10), 1, rng=0)
    snapshots = Snapshots(model)
    for epoch in range(1, 20001):
        assert snapshots(epoch, 0.5, 0.5) is False  # it never asks fit to stop
    frames = snapshots.frames(20000)
    assert MAX_FRAMES // 2 <= len(frames) <= MAX_FRAMES
    epochs = [epoch for epoch, _ in frames]
    assert epochs[-1] == 20000
    spacings = set(np.diff(epochs[:-1]).tolist())
    assert len(spacings) == 1 and spacings.pop() >= 20000 // MAX_FRAMES


@pytest.mark.parametrize("epochs", [1, 7, 99, 100, 101, 1000])
def test_every_run_length_stays_within_max_frames(epochs):
    snapshots = Snapshots(nn.MLP(2, (3,), 1, rng=0), max_frames=10)
    for epoch in range(1, epochs + 1):
        snapshots(epoch, 0.1, 1.0)
    frames = snapshots.frames(epochs)
    assert len(frames) <= 10 and frames[-1][0] == epochs
    assert len(frames) == epochs or len(frames) >= 5
    assert [epoch for epoch, _ in frames] == sorted({epoch for epoch, _ in frames})


def test_snapshots_copy_the_weights_of_their_epoch():
    snapshots, _, _, history = watched_run(epochs=5)
    frames = snapshots.frames(history.epochs)
    assert [epoch for epoch, _ in frames] == [1, 2, 3, 4, 5]
    first, last = frames[0][1], frames[-1][1]
    assert first.keys() == last.keys()
    assert any(not np.array_equal(first[name], last[name]) for name in first)
    np.testing.assert_array_equal(last["layers.0.weight"],
                                  snapshots.model.layers[0].weight.data)


@pytest.mark.parametrize("max_frames", [1, 0, 2.5, True, "10"])
def test_snapshots_need_at_least_two_frames(max_frames):
    with pytest.raises(ValueError, match="max_frames must be an integer >= 2"):
        Snapshots(nn.MLP(2, (3,), 1), max_frames=max_frames)


# ---- write_animation --------------------------------------------------------------------------

def test_write_animation_writes_a_gif_of_every_frame(tmp_path):
    snapshots, x, y, history = watched_run(epochs=12, max_frames=5)
    trained = snapshots.model.state_dict()
    path = tmp_path / "spiral.gif"
    frames = write_animation(path, snapshots, x, y, history, title="spiral")
    assert 3 <= frames <= 5
    assert path.read_bytes().startswith(GIF_SIGNATURE)
    assert gif_frames(path) == frames
    assert os.listdir(tmp_path) == ["spiral.gif"]  # no temporary file left
    for name, value in snapshots.model.state_dict().items():  # back in its trained state
        np.testing.assert_array_equal(value, trained[name])


def test_write_animation_of_the_lab_model_on_xor(tmp_path):
    x, y = data.generate_XOR_easy()
    model = nn.MLP(2, (10, 10), 1, rng=0)
    snapshots = Snapshots(model, max_frames=4)
    history = fit(model, x, y, epochs=30, optimizer=optim.Adam(model.parameters(), lr=0.05),
                  log_every=None, callback=snapshots)
    assert write_animation(tmp_path / "xor.gif", snapshots, x, y, history) == gif_frames(
        tmp_path / "xor.gif")


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    snapshots, x, y, history = watched_run(epochs=4)
    trained = snapshots.model.state_dict()
    target = tmp_path / "run.gif"
    target.write_bytes(b"the old animation")
    from matplotlib.animation import PillowWriter

    def finish_then_fail(self):
        with open(self.outfile, "wb") as file:
            file.write(GIF_SIGNATURE + b"half a gif")
        raise OSError("disk full")

    monkeypatch.setattr(PillowWriter, "finish", finish_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_animation(target, snapshots, x, y, history)
    assert target.read_bytes() == b"the old animation"
    assert os.listdir(tmp_path) == ["run.gif"]
    for name, value in snapshots.model.state_dict().items():
        np.testing.assert_array_equal(value, trained[name])


def test_writing_into_a_missing_folder_fails_and_leaves_nothing(tmp_path):
    snapshots, x, y, history = watched_run(epochs=2)
    with pytest.raises(OSError):
        write_animation(tmp_path / "missing" / "run.gif", snapshots, x, y, history)
    assert os.listdir(tmp_path) == []


def test_the_data_must_be_points_in_the_plane(tmp_path):
    snapshots, x, y, history = watched_run(epochs=2)
    with pytest.raises(ValueError, match="needs 2 features"):
        write_animation(tmp_path / "run.gif", snapshots, np.ones((30, 3)), y, history)
    assert os.listdir(tmp_path) == []


def test_without_pillow_the_writer_says_how_to_get_it(monkeypatch):
    check_writer()  # here it can
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(ImportError, match=r'--animate needs matplotlib and Pillow: pip install'):
        check_writer()

"""A training you can watch: the decision regions and the learning curve, frame by frame, as a GIF.

``Snapshots`` is a callback for ``fit`` that keeps copies of the model's weights at evenly spaced
epochs (never more than ``MAX_FRAMES``, however long the run); ``write_animation`` then draws a
frame per copy with ``plot``'s own drawing functions and writes the GIF with matplotlib's Pillow
writer, whole or not at all. matplotlib is imported only when drawing.
"""

import os
import secrets

MAX_FRAMES = 100  # a GIF's most frames: a 20,000-epoch run is shown every 256 epochs or more
FRAMES_PER_SECOND = 10
# Small and coarse on purpose: a frame is drawn per snapshot, and the GIF should stay a few MB.
FIGURE_SIZE, FIGURE_DPI, GRID_RESOLUTION = (10.5, 3.3), 60, 60


class Snapshots:
    """``fit``'s ``callback``: copies of ``model``'s weights (``state_dict``) at evenly spaced
    epochs, at most ``max_frames - 1`` of them (the last frame is the trained model itself).

    Every epoch is kept at first; each time the copies would exceed that number, every other one
    is dropped and the spacing doubles, so a run of any length, stopped early or not, ends with
    between half and all of ``max_frames`` evenly spaced copies. Never asks fit to stop.
    """

    def __init__(self, model, max_frames=MAX_FRAMES):
        """Takes a Module and the most frames (an int >= 2); raises ValueError for fewer."""
        if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
            raise ValueError(f"Snapshots: max_frames must be an integer >= 2, got "
                             f"{max_frames!r}")
        self.model = model
        self.capacity = max_frames - 1
        self.spacing = 1
        self.epochs, self.states = [], []

    def __call__(self, epoch, loss, accuracy):
        """Keep a copy of the weights if ``epoch`` is on the current spacing; returns False."""
        if epoch % self.spacing == 0:
            self.epochs.append(epoch)
            self.states.append(self.model.state_dict())
            if len(self.epochs) > self.capacity:
                self.spacing *= 2
                kept = [i for i, kept_epoch in enumerate(self.epochs)
                        if kept_epoch % self.spacing == 0]
                self.epochs = [self.epochs[i] for i in kept]
                self.states = [self.states[i] for i in kept]
        return False

    def frames(self, last_epoch):
        """``[(epoch, state), ...]``: the copies, then the model's current weights as epoch
        ``last_epoch`` (unless the last copy is of that epoch already)."""
        frames = list(zip(self.epochs, self.states, strict=True))
        if not frames or frames[-1][0] != last_epoch:
            frames.append((last_epoch, self.model.state_dict()))
        return frames


def check_writer():
    """Raise ImportError with the install hint unless matplotlib and Pillow can write a GIF."""
    try:
        import matplotlib.animation  # noqa: F401  (Pillow comes with matplotlib)
        import PIL  # noqa: F401
    except ImportError as error:
        raise ImportError('--animate needs matplotlib and Pillow: pip install '
                          '"tinygrad-lab[plot]"') from error


def write_animation(path, snapshots, x, y, history, title=None):
    """Write a GIF to ``path``: a frame per snapshot, the model's decision regions on ``x`` (n, 2)
    with labels ``y`` beside the loss and accuracy of ``history`` up to that epoch.

    ``snapshots`` is the ``Snapshots`` that watched the run; its model is back in its trained
    state afterwards. ``title`` (e.g. the dataset's name) starts each frame's title. Returns the
    number of frames. Raises ValueError for data ``plot.decision_boundary`` refuses, OSError
    (nothing written, no temporary file left) if the file cannot be written.
    """
    check_writer()
    from matplotlib.animation import PillowWriter

    from .metrics import evaluating
    from .plot import draw_decision_regions, draw_learning_curve, new_figure

    model = snapshots.model
    frames = snapshots.frames(history.epochs)
    final_state = frames[-1][1]
    figure = new_figure(False, figsize=FIGURE_SIZE, dpi=FIGURE_DPI)
    region_ax, loss_ax, accuracy_ax = figure.subplots(1, 3, width_ratios=(1.2, 1, 1))
    prefix = f"{title}: " if title else ""

    def draw(frame):
        epoch, state = frames[frame]
        for ax in (region_ax, loss_ax, accuracy_ax):
            ax.clear()
        model.load_state_dict(state)
        draw_decision_regions(region_ax, model, x, y, GRID_RESOLUTION)
        region_ax.legend().remove()  # the colours are the classes; a legend hides the points
        draw_learning_curve((loss_ax, accuracy_ax), history, epochs=epoch)
        figure.suptitle(f"{prefix}epoch {epoch} of {history.epochs}")

    path = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(path)
    # Pillow picks the format from the name, so the temporary file ends in .gif too.
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp.gif")
    writer = PillowWriter(fps=FRAMES_PER_SECOND)
    try:
        with evaluating(model):
            # Drawn once before the writer opens: data it cannot draw raise their ValueError
            # here, not an IndexError from a writer finishing with no frames.
            draw(0)
            figure.canvas.draw()
            # The layout of the first frame is kept: laying out every frame anew took half the
            # time (0.7 s a frame instead of 0.2 with FuncAnimation), and the axes stay still.
            figure.set_layout_engine(None)
            with writer.saving(figure, temporary, FIGURE_DPI):
                for frame in range(len(frames)):
                    draw(frame)
                    writer.grab_frame()
        os.replace(temporary, path)
    finally:
        model.load_state_dict(final_state)
        if os.path.exists(temporary):
            os.unlink(temporary)
    return len(frames)

"""Synthetic run objects (as results.json holds them) for the findings and tables tests."""

from tinygrad_lab.lab.studies import STUDY


def fake(study, values, dataset, seed, **fields):
    """A run of the variant of ``study`` that trains with the config ``values`` (the fields the
    study varies, e.g. ``{"learning_rate": 10.0}``), with neutral numbers overridden by
    ``fields``; a 500-epoch budget."""
    definition = STUDY[study]
    variant = definition.variant(definition.key_of({**definition.base, **values}))
    config = {**definition.config_of(variant), "epochs": 500}
    run = {"study": study, "label": variant.label, "dataset": dataset, "seed": seed,
           "config": config, "accuracy": 1.0, "final_loss": 0.1, "epochs_run": 500,
           "epochs_to_100": 200, "epochs_to_epsilon": None, "diverged": False, "seconds": 0.5,
           "seconds_to_100": 0.2, "loss_increases": 0,
           "init_stats": {"preactivation_std": [1.0, 1.0], "saturated": [0.0, 0.0],
                          "output_rms": 1.0, "loss": 0.7, "gradient_norm": [0.1, 0.1, 0.1]},
           "curve": {"epoch": [1, 500], "loss": [0.7, 0.1]}}
    run.update(fields)
    return run


def learning_rate_runs(fast_epochs):
    """lr=10 reaches 100% after ``fast_epochs`` (one per seed), with loss rises; the spec's
    lr=0.3 never does."""
    runs = []
    for dataset in ("linear", "xor"):
        for seed, epochs in enumerate(fast_epochs):
            runs.append(fake("learning_rate", {"learning_rate": 10.0}, dataset, seed,
                             epochs_to_100=epochs, loss_increases=100))
        for seed in range(len(fast_epochs)):
            runs.append(fake("learning_rate", {"learning_rate": 0.3}, dataset, seed,
                             epochs_to_100=None, seconds_to_100=None, accuracy=0.75))
    return runs

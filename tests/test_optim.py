"""SGD, momentum, Adam and RMSprop against hand-written references, weight decay, and their
argument checks.

The references repeat each update rule in plain NumPy; the optimizers must match them to 1e-12
(the same arithmetic, possibly in another order), or bit for bit where the order is the same.
"""

import numpy as np
import pytest
from checks import close

from tinygrad_lab import Tensor, nn, optim


def params(seed=0, shapes=((3, 2), (2,))):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.normal(size=shape), requires_grad=True) for shape in shapes]


def fake_gradient(data, step):
    """A gradient that depends on the parameter and the step, so that errors compound."""
    return np.cos(data) * (step + 1) + 0.5 * data


def test_sgd_step_is_exact():
    ps = params()
    grads = [np.random.default_rng(1).normal(size=p.shape) for p in ps]
    expected = [p.data - 0.3 * g for p, g in zip(ps, grads, strict=True)]
    for p, g in zip(ps, grads, strict=True):
        p.grad = g
    optim.SGD(ps, lr=0.3).step()
    for p, e in zip(ps, expected, strict=True):
        assert np.array_equal(p.data, e)


def test_sgd_momentum_is_heavy_ball():
    ps = params()
    reference = [p.data.copy() for p in ps]
    velocities = [np.zeros_like(r) for r in reference]
    optimizer = optim.SGD(ps, lr=0.1, momentum=0.9)
    for step in range(6):
        for i, p in enumerate(ps):
            p.grad = fake_gradient(p.data, step)
            velocities[i] = 0.9 * velocities[i] + fake_gradient(reference[i], step)
            reference[i] = reference[i] - 0.1 * velocities[i]
        optimizer.step()
        for p, r in zip(ps, reference, strict=True):
            close(p.data, r)


def adam_reference(data, grads_by_step, lr, betas, eps):
    """PyTorch's Adam for one parameter: ``grads_by_step`` holds None where it got no grad."""
    beta1, beta2 = betas
    m = np.zeros_like(data)
    v = np.zeros_like(data)
    t = 0
    for gradient in grads_by_step:
        if gradient is None:
            continue
        g = gradient(data)
        t += 1
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        data = data - lr * m_hat / (np.sqrt(v_hat) + eps)
    return data


@pytest.mark.parametrize("lr, betas, eps", [
    (0.01, (0.9, 0.999), 1e-8),
    (0.05, (0.5, 0.9), 1e-3),
    (0.2, (0.0, 0.0), 1e-8),
])
def test_adam_matches_the_reference(lr, betas, eps):
    ps = params()
    starts = [p.data.copy() for p in ps]
    optimizer = optim.Adam(ps, lr=lr, betas=betas, eps=eps)
    for step in range(10):
        for p in ps:
            p.grad = fake_gradient(p.data, step)
        optimizer.step()
    for p, start in zip(ps, starts, strict=True):
        steps = [lambda d, s=s: fake_gradient(d, s) for s in range(10)]
        close(p.data, adam_reference(start, steps, lr, betas, eps))


def test_adam_counts_steps_per_parameter():
    # The second parameter gets no gradient on the first three steps: as in PyTorch, its bias
    # correction starts when its own moments start.
    first, second = params()
    starts = [first.data.copy(), second.data.copy()]
    optimizer = optim.Adam([first, second], lr=0.05)
    for step in range(8):
        first.grad = fake_gradient(first.data, step)
        second.grad = fake_gradient(second.data, step) if step >= 3 else None
        optimizer.step()
    all_steps = [lambda d, s=s: fake_gradient(d, s) for s in range(8)]
    late_steps = [None] * 3 + all_steps[3:]
    close(first.data, adam_reference(starts[0], all_steps, 0.05, (0.9, 0.999), 1e-8))
    close(second.data, adam_reference(starts[1], late_steps, 0.05, (0.9, 0.999), 1e-8))


def rmsprop_reference(data, steps, lr, alpha, eps, weight_decay=0.0):
    """PyTorch's RMSprop for one parameter over ``steps`` gradient functions."""
    v = np.zeros_like(data)
    for gradient in steps:
        g = gradient(data) + weight_decay * data
        v = alpha * v + (1 - alpha) * g * g
        data = data - lr * g / (np.sqrt(v) + eps)
    return data


@pytest.mark.parametrize("lr, alpha, eps", [(0.01, 0.99, 1e-8), (0.1, 0.5, 1e-3),
                                           (0.05, 0.0, 1e-8)])
def test_rmsprop_matches_the_reference(lr, alpha, eps):
    ps = params()
    starts = [p.data.copy() for p in ps]
    optimizer = optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps)
    for step in range(8):
        for p in ps:
            p.grad = fake_gradient(p.data, step)
        optimizer.step()
    steps = [lambda d, s=s: fake_gradient(d, s) for s in range(8)]
    for p, start in zip(ps, starts, strict=True):
        close(p.data, rmsprop_reference(start, steps, lr, alpha, eps))


def test_rmsprop_defaults_are_pytorchs():
    optimizer = optim.RMSprop(params())
    assert (optimizer.lr, optimizer.alpha, optimizer.eps, optimizer.weight_decay) == (
        0.01, 0.99, 1e-8, 0.0)


def test_weight_decay_by_hand():
    # p = 2, grad = 0.5, lr = 0.1, decay 0.01: the step uses 0.5 + 0.01 * 2 = 0.52.
    for make in (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01),
                 lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01)):
        p = Tensor([2.0], requires_grad=True)
        p.grad = np.array([0.5])
        make([p]).step()
        assert p.data[0] == pytest.approx(2.0 - 0.1 * 0.52, rel=1e-15)
    # Adam's first step is lr * sign(g) whatever g is: a decay that flips the sign shows.
    p = Tensor([2.0], requires_grad=True)
    p.grad = np.array([0.5])
    optim.Adam([p], lr=0.1, weight_decay=1.0).step()  # g = 0.5 + 2 = 2.5
    assert p.data[0] == pytest.approx(2.0 - 0.1, rel=1e-7)
    p = Tensor([2.0], requires_grad=True)
    p.grad = np.array([-0.5])
    optim.Adam([p], lr=0.1, weight_decay=1.0).step()  # g = -0.5 + 2 = 1.5: still downhill
    assert p.data[0] == pytest.approx(2.0 - 0.1, rel=1e-7)
    p = Tensor([2.0], requires_grad=True)
    p.grad = np.array([-3.0])
    optim.Adam([p], lr=0.1, weight_decay=1.0).step()  # g = -3 + 2 = -1: up
    assert p.data[0] == pytest.approx(2.0 + 0.1, rel=1e-7)


def test_weight_decay_against_the_references():
    steps = [lambda d, s=s: fake_gradient(d, s) for s in range(6)]
    for kind, reference in [
        (lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.3),
         lambda start: adam_reference(start, [lambda d, g=g: g(d) + 0.3 * d for g in steps],
                                      0.05, (0.9, 0.999), 1e-8)),
        (lambda ps: optim.RMSprop(ps, lr=0.05, weight_decay=0.3),
         lambda start: rmsprop_reference(start, steps, 0.05, 0.99, 1e-8, weight_decay=0.3)),
    ]:
        ps = params()
        starts = [p.data.copy() for p in ps]
        optimizer = kind(ps)
        for step in range(6):
            for p in ps:
                p.grad = fake_gradient(p.data, step)
            optimizer.step()
        for p, start in zip(ps, starts, strict=True):
            close(p.data, reference(start))


def old_sgd(data, grad, velocity, lr=0.1, momentum=0.9):
    """SGD's update as it was written before weight_decay, in the same order of operations."""
    velocity *= momentum
    velocity += grad
    data -= lr * velocity


def old_adam(data, grad, m, v, t, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam's update as it was written before weight_decay, in the same order of operations."""
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    data -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)


def test_no_weight_decay_leaves_the_updates_bit_for_bit():
    for decay in ({}, {"weight_decay": 0.0}):
        plain, heavy, adam = params(), params(), params()
        optimizers = [optim.SGD(plain, lr=0.1, **decay),
                      optim.SGD(heavy, lr=0.1, momentum=0.9, **decay),
                      optim.Adam(adam, lr=0.05, **decay)]
        references = [[p.data.copy() for p in ps] for ps in (plain, heavy, adam)]
        velocities = [np.zeros_like(r) for r in references[1]]
        moments = [(np.zeros_like(r), np.zeros_like(r)) for r in references[2]]
        for step in range(5):
            for ps, reference in zip((plain, heavy, adam), references, strict=True):
                for p, r in zip(ps, reference, strict=True):
                    p.grad = fake_gradient(r, step)
            for optimizer in optimizers:
                optimizer.step()
            for r in references[0]:
                r -= 0.1 * fake_gradient(r, step)
            for r, velocity in zip(references[1], velocities, strict=True):
                old_sgd(r, fake_gradient(r, step), velocity)
            for r, (m, v) in zip(references[2], moments, strict=True):
                old_adam(r, fake_gradient(r, step), m, v, step + 1)
        for ps, reference in zip((plain, heavy, adam), references, strict=True):
            for p, r in zip(ps, reference, strict=True):
                assert np.array_equal(p.data, r)


@pytest.mark.parametrize("kind", [optim.SGD, optim.Adam, optim.RMSprop])
@pytest.mark.parametrize("weight_decay", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_weight_decay(kind, weight_decay):
    with pytest.raises(ValueError, match="weight_decay"):
        kind(params(), lr=0.1, weight_decay=weight_decay)


@pytest.mark.parametrize("alpha", [-0.1, 1.0, float("nan")])
def test_bad_rmsprop_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        optim.RMSprop(params(), alpha=alpha)


@pytest.mark.parametrize("eps", [0.0, -1e-8, float("nan")])
def test_bad_rmsprop_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        optim.RMSprop(params(), eps=eps)


EVERY_OPTIMIZER = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5),
    lambda ps: optim.Adam(ps),
    lambda ps: optim.RMSprop(ps),
    lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.1),
    lambda ps: optim.Adam(ps, weight_decay=0.1),
    lambda ps: optim.RMSprop(ps, weight_decay=0.1),
]


@pytest.mark.parametrize("make", EVERY_OPTIMIZER)
def test_step_skips_parameters_without_grad(make):
    ps = params()
    optimizer = make(ps)
    before = ps[1].data.copy()
    ps[0].grad = np.ones(ps[0].shape)
    ps[1].grad = None
    start = ps[0].data.copy()
    optimizer.step()
    assert np.array_equal(ps[1].data, before)
    assert not np.array_equal(ps[0].data, start)


@pytest.mark.parametrize("make", EVERY_OPTIMIZER)
def test_updates_in_place_without_a_graph(make):
    ps = params()
    arrays = [p.data for p in ps]
    before = [p.data.copy() for p in ps]
    optimizer = make(ps)
    for p in ps:
        p.grad = np.ones(p.shape)
    optimizer.step()
    for p, array, old in zip(ps, arrays, before, strict=True):
        assert p.data is array  # the same ndarray, changed in place
        assert not np.allclose(p.data, old)
        assert p.is_leaf and p.grad_fn is None and p.inputs == ()
        assert p.requires_grad
        assert np.array_equal(p.grad, np.ones(p.shape))  # the step leaves the gradient alone


def test_zero_grad_sets_grads_to_none():
    ps = params()
    for p in ps:
        p.grad = np.ones(p.shape)
    optimizer = optim.SGD(ps, lr=0.1)
    optimizer.zero_grad()
    assert all(p.grad is None for p in ps)


def test_zero_grad_then_backward_starts_from_zero():
    model = nn.MLP(hidden=(3,), rng=0)
    x, y = np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([[1.0], [0.0]])
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    nn.binary_cross_entropy(model(Tensor(x)), y).backward()
    once = [p.grad.copy() for p in model.parameters()]
    optimizer.zero_grad()
    nn.binary_cross_entropy(model(Tensor(x)), y).backward()
    for p, g in zip(model.parameters(), once, strict=True):
        assert np.array_equal(p.grad, g)


BAD_LEARNING_RATES = [0, 0.0, -0.1, float("nan"), float("inf"), -float("inf"), "0.1", None,
                      True]


@pytest.mark.parametrize("lr", BAD_LEARNING_RATES)
@pytest.mark.parametrize("kind", [optim.SGD, optim.Adam, optim.RMSprop])
def test_bad_learning_rate(kind, lr):
    with pytest.raises(ValueError, match="lr"):
        kind(params(), lr=lr)


def test_numpy_number_learning_rates():
    assert optim.SGD(params(), lr=np.float32(0.5)).lr == 0.5
    assert optim.Adam(params(), lr=np.float64(0.25)).lr == 0.25
    assert optim.SGD(params(), lr=1).lr == 1.0


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, float("nan"), float("inf")])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(params(), lr=0.1, momentum=momentum)


@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, 1.0), (-0.1, 0.999), (0.9, float("nan")),
                                   (0.9,), (0.9, 0.99, 0.9)])
def test_bad_betas(betas):
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(params(), betas=betas)


@pytest.mark.parametrize("eps", [0.0, -1e-8, float("nan")])
def test_bad_adam_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        optim.Adam(params(), eps=eps)


@pytest.mark.parametrize("kind", [optim.SGD, optim.Adam, optim.RMSprop])
def test_no_parameters(kind):
    with pytest.raises(ValueError, match="no parameters"):
        kind([], lr=0.1)
    with pytest.raises(ValueError, match="no parameters"):
        kind(iter(()), lr=0.1)


@pytest.mark.parametrize("kind", [optim.SGD, optim.Adam, optim.RMSprop])
def test_parameter_without_requires_grad(kind):
    with pytest.raises(ValueError, match="require grad"):
        kind([*params(), Tensor([1.0])], lr=0.1)


def test_accepts_a_generator_of_parameters():
    model = nn.MLP(rng=0)
    optimizer = optim.Adam(p for p in model.parameters())
    assert optimizer.params == model.parameters()


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.5),
    lambda ps: optim.SGD(ps, lr=0.5, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.05),
    lambda ps: optim.RMSprop(ps, lr=0.01),
])
def test_a_step_decreases_the_loss(make):
    x = np.array([[0.1, 0.9], [0.3, 0.6], [0.8, 0.2], [0.7, 0.4]])
    y = np.array([[1.0], [1.0], [0.0], [0.0]])
    model = nn.MLP(hidden=(4,), rng=3)
    optimizer = make(model.parameters())
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = nn.binary_cross_entropy(model(Tensor(x)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))

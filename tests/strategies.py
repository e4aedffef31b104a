"""Hypothesis strategies for tensors: shapes, broadcasting pairs and per-op value domains.

Values are kept to a few units and, where an op has a pole or a kink (log at 0, relu at 0, clip at
its bounds, division by 0), at least ``MARGIN`` away from it, so central differences with
eps = 1e-6 are accurate to far better than gradcheck's tolerance.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MARGIN = 1e-3

reals = st.floats(-3.0, 3.0)
positives = st.floats(0.1, 3.0)
away_from_zero = st.one_of(st.floats(-3.0, -0.2), st.floats(0.2, 3.0))
away_from_kink = st.one_of(st.floats(-3.0, -MARGIN), st.floats(MARGIN, 3.0))

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def arrays(elements, shape=shapes):
    """float64 arrays of 0 to 3 dimensions (sides 1 to 4) with values from ``elements``."""
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def unary(draw, elements=reals):
    """One array: ``((x,), {})``."""
    return (draw(arrays(elements)),), {}


@st.composite
def broadcast_pair(draw, left=reals, right=reals):
    """Two arrays whose shapes broadcast together (equal, stretched, or with fewer dims)."""
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                  max_side=4))
    a_shape, b_shape = pair.input_shapes
    return (draw(arrays(left, a_shape)), draw(arrays(right, b_shape))), {}


@st.composite
def matmul_pair(draw):
    """Two arrays that numpy.matmul accepts, each 1-D or 2-D."""
    m, k, n = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    a_shape = draw(st.sampled_from([(k,), (m, k)]))
    b_shape = draw(st.sampled_from([(k,), (k, n)]))
    return (draw(arrays(reals, a_shape)), draw(arrays(reals, b_shape))), {}


@st.composite
def reduction(draw):
    """An array and an ``axis`` (None, an int or a tuple) with ``keepdims``."""
    x = draw(arrays(reals))
    axes = st.none()
    if x.ndim:
        single = st.integers(-x.ndim, x.ndim - 1)
        several = st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim,
                           unique=True).map(tuple)
        axes = st.one_of(st.none(), single, several)
    return (x,), {"axis": draw(axes), "keepdims": draw(st.booleans())}


@st.composite
def new_shape(draw):
    """An array and another shape with the same number of elements."""
    x = draw(arrays(reals))
    shape = draw(st.sampled_from([(-1,), x.shape[::-1], (1, *x.shape), (x.size, 1), ()
                                  if x.size == 1 else (x.size,)]))
    return (x,), {"shape": shape}


@st.composite
def power(draw):
    """A positive base (non-integer exponents need one) and a number exponent."""
    exponent = draw(st.sampled_from([2.0, 3.0, -1.0, 0.5, 1.5, -2.5]))
    return (draw(arrays(positives)),), {"exponent": exponent}


@st.composite
def clip_bounds(draw):
    """An array, and bounds ``lo < hi`` that no value is within MARGIN of."""
    lo = draw(st.floats(-2.0, 0.5))
    hi = lo + draw(st.floats(0.1, 2.0))
    margin_ok = st.floats(-3.0, 3.0).filter(
        lambda v: abs(v - lo) > MARGIN and abs(v - hi) > MARGIN)
    return (draw(arrays(margin_ok)),), {"lo": lo, "hi": hi}

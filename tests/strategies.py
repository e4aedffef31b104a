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
def clip_bounds(draw):
    """An array, and bounds ``lo < hi`` that no value is within MARGIN of."""
    lo = draw(st.floats(-2.0, 0.5))
    hi = lo + draw(st.floats(0.1, 2.0))
    margin_ok = st.floats(-3.0, 3.0).filter(
        lambda v: abs(v - lo) > MARGIN and abs(v - hi) > MARGIN)
    return (draw(arrays(margin_ok)),), {"lo": lo, "hi": hi}


def grid(offset):
    """Values on a grid of step 0.01 in [-3, 3], shifted by ``offset``: values from grids of
    different offsets are never equal (nor within MARGIN), so ties can be ruled out."""
    return st.integers(-300, 300).map(lambda k: k / 100 + offset)


distinct = grid(0.003)


@st.composite
def distinct_pair(draw):
    """Two broadcastable arrays whose elements never tie (for maximum and minimum)."""
    return draw(broadcast_pair(grid(0.003), grid(0.007)))


@st.composite
def batched_matmul_pair(draw):
    """Two arrays that numpy.matmul accepts: 1-D, 2-D, or with batch axes that broadcast."""
    m, k, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                   max_side=3))
    a_batch, b_batch = batch.input_shapes
    a_shape = draw(st.sampled_from([(k,), (*a_batch, m, k)]))
    b_shape = draw(st.sampled_from([(k,), (*b_batch, k, n)]))
    return (draw(arrays(reals, a_shape)), draw(arrays(reals, b_shape))), {}


@st.composite
def where_triple(draw):
    """A 0/1 condition and two arrays, all three broadcasting together."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                    max_side=3)).input_shapes
    condition = draw(hnp.arrays(np.float64, shapes[0], elements=st.sampled_from([0.0, 1.0])))
    return (condition, draw(arrays(reals, shapes[1])), draw(arrays(reals, shapes[2]))), {}


@st.composite
def leaky(draw):
    """An array off the kink at 0, and a slope."""
    return (draw(arrays(away_from_kink)),), {"slope": draw(st.sampled_from([0.01, 0.2, 1.5]))}


def away_from(*kinks, low=-8.0, high=8.0):
    """Floats in [low, high] at least MARGIN from each of ``kinks``."""
    return st.floats(low, high).filter(lambda v: all(abs(v - kink) > MARGIN for kink in kinks))


@st.composite
def distinct_reduction(draw):
    """As ``reduction``, with all values distinct (max and min without ties)."""
    (x,), params = draw(reduction())
    values = draw(hnp.arrays(np.float64, x.shape, elements=distinct, unique=True))
    return (values,), params


@st.composite
def along_axis(draw):
    """An array of at least one dimension and one ``axis`` of it (softmax, log_softmax)."""
    x = draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                        elements=reals))
    return (x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def axis_order(draw):
    """An array and an order of its axes, or None (reversed)."""
    x = draw(arrays(reals))
    axes = draw(st.one_of(st.none(), st.permutations(range(x.ndim)).map(tuple)))
    return (x,), {"axes": axes}


@st.composite
def expansion(draw):
    """An array and a shape it broadcasts to."""
    target = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    dropped = draw(st.integers(0, len(target)))
    shape = tuple(size if draw(st.booleans()) else 1 for size in target[dropped:])
    return (draw(arrays(reals, shape)),), {"shape": target}


@st.composite
def index(draw):
    """An array of 1 to 3 dimensions and an index of it: ints, slices with steps, None,
    Ellipsis, an integer array with repeats, or a boolean mask."""
    x = draw(arrays(reals, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    side = x.shape[0]
    first = st.one_of(
        st.integers(-side, side - 1),
        st.builds(slice, st.none() | st.integers(-side, side), st.none() | st.integers(-side, side),
                  st.none() | st.sampled_from([1, 2, -1, -2])),
        hnp.arrays(np.intp, st.integers(1, 5), elements=st.integers(-side, side - 1)),
    )
    kind = draw(st.sampled_from(["basic", "mask", "with none", "ellipsis"]))
    if kind == "mask":
        chosen = draw(hnp.arrays(np.bool_, x.shape))
        return (x,), {"index": chosen}
    if kind == "with none":
        return (x,), {"index": (None, draw(first))}
    if kind == "ellipsis" and x.ndim > 1:
        return (x,), {"index": (Ellipsis, draw(st.integers(0, x.shape[-1] - 1)))}
    return (x,), {"index": draw(first)}


@st.composite
def padding(draw):
    """An array, a pad_width in one of numpy.pad's forms, and a constant value."""
    x = draw(arrays(reals, hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    widths = st.integers(0, 2)
    pad_width = draw(st.one_of(
        widths, st.tuples(widths, widths),
        st.tuples(*[st.tuples(widths, widths) for _ in range(x.ndim)])))
    return (x,), {"pad_width": pad_width, "value": draw(st.sampled_from([0.0, -1.5]))}


@st.composite
def joinable(draw):
    """Three arrays of one shape except along ``axis``, which they can be joined on."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(3):
        part = list(shape)
        part[axis] = draw(st.integers(1, 3))
        parts.append(draw(arrays(reals, tuple(part))))
    return tuple(parts), {"axis": axis}


# Multiples of 1/64 in [-3, 3]: their products and the sums of a few hundred of them are exact in
# float64, so a reference that adds in another order than the op gets the same bits; as distinct
# values they are 1/64 apart, far more than MARGIN (max pool without ties).
sixty_fourths = st.integers(-192, 192).map(lambda k: k / 64)


@st.composite
def conv_pair(draw):
    """An input (N, C, H, W) and a weight (C_out, C/groups, kh, kw) that Conv2d.forward takes,
    with a stride (sh, sw) and groups: ``((x, weight), {"stride": ..., "groups": ...})``."""
    groups, group_channels, group_outputs = (draw(st.integers(1, 2)) for _ in range(3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    height, width = kh + draw(st.integers(0, 2)), kw + draw(st.integers(0, 2))
    x_shape = (draw(st.integers(1, 2)), groups * group_channels, height, width)
    w_shape = (groups * group_outputs, group_channels, kh, kw)
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    return ((draw(arrays(sixty_fourths, x_shape)), draw(arrays(sixty_fourths, w_shape))),
            {"stride": stride, "groups": groups})


@st.composite
def pool_input(draw, unique=True):
    """An array (..., H, W) of 2 to 4 dimensions with distinct values (``unique``: no ties for
    max pool), a kernel_size (kh, kw) that fits in it and a stride (sh, sw)."""
    kernel_size = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    lead = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=2))
    shape = (*lead, kernel_size[0] + draw(st.integers(0, 3)),
             kernel_size[1] + draw(st.integers(0, 3)))
    x = draw(hnp.arrays(np.float64, shape, elements=sixty_fourths, unique=unique))
    return (x,), {"kernel_size": kernel_size,
                  "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3)))}

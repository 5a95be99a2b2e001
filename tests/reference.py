"""Slow, obviously correct reference implementations written from the definitions in
docs/metrics.md (not from the Rust code). Plain Python/NumPy loops over full matrices."""

import math
from functools import lru_cache

import numpy as np

R = 6378137.0


# ---------------------------------------------------------------- ground distances
def eucl(p, q):
    return math.sqrt(sum((a - b) ** 2 for a, b in zip(p, q)))


def hav(p, q, rad=math.pi / 180.0):
    lon1, lat1, lon2, lat2 = p[0], p[1], q[0], q[1]
    dlat = (lat2 - lat1) * rad
    dlon = (lon2 - lon1) * rad
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1 * rad) * math.cos(lat2 * rad) * math.sin(dlon / 2) ** 2
    return R * 2 * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def ground(space):
    return eucl if space == "euclidean" else hav


def seg_eucl(p, s, e):
    p, s, e = map(np.asarray, (p, s, e))
    if np.array_equal(s, e):
        return eucl(p, s)
    u = float(np.dot(p - s, e - s)) / float(np.dot(e - s, e - s))
    if u < 0.00001 or u > 1:
        return min(eucl(p, s), eucl(p, e))
    return eucl(p, s + u * (e - s))


def _bearing(p, q, rad=math.pi / 180.0):
    dlon = (q[0] - p[0]) * rad
    y = math.sin(dlon) * math.cos(q[1] * rad)
    x = math.cos(p[1] * rad) * math.sin(q[1] * rad) - math.sin(p[1] * rad) * math.cos(q[1] * rad) * math.cos(dlon)
    return math.atan2(y, x)


def seg_sph(p, s, e):
    if tuple(s) == tuple(e):
        return hav(p, s)
    d13 = hav(s, p)
    crt = math.asin(math.sin(d13 / R) * math.sin(_bearing(s, p) - _bearing(s, e))) * R
    along = lambda d: math.acos(min(1.0, math.cos(d / R) / math.cos(crt / R))) * R
    d23 = hav(e, p)
    d12 = hav(s, e)
    if along(d13) > d12 or along(d23) > d12:
        return min(d13, d23)
    return abs(crt)


def point_to_polyline(p, t, space):
    if len(t) == 1:
        return ground(space)(p, t[0])
    seg = seg_eucl if space == "euclidean" else seg_sph
    return min(seg(p, t[k], t[k + 1]) for k in range(len(t) - 1))


# ---------------------------------------------------------------- DP metrics
def dtw(a, b, space="euclidean", window=None):
    d = ground(space)
    n, m = len(a), len(b)
    w = max(window, abs(n - m)) if window is not None else None
    C = np.full((n + 1, m + 1), np.inf)
    C[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if w is not None and abs(i - j) > w:
                continue
            C[i, j] = d(a[i - 1], b[j - 1]) + min(C[i - 1, j - 1], C[i - 1, j], C[i, j - 1])
    return C[n, m]


def discrete_frechet(a, b, space="euclidean"):
    d = ground(space)
    n, m = len(a), len(b)
    C = np.full((n + 1, m + 1), np.inf)
    C[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            C[i, j] = max(d(a[i - 1], b[j - 1]), min(C[i - 1, j - 1], C[i - 1, j], C[i, j - 1]))
    return C[n, m]


def lcss(a, b, eps, space="euclidean"):
    d = ground(space)
    n, m = len(a), len(b)
    L = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            L[i, j] = L[i - 1, j - 1] + 1 if d(a[i - 1], b[j - 1]) < eps else max(L[i - 1, j], L[i, j - 1])
    return 1 - L[n, m] / min(n, m)


def edr(a, b, eps, space="euclidean", normalize=True):
    d = ground(space)
    n, m = len(a), len(b)
    E = np.zeros((n + 1, m + 1))
    E[:, 0] = np.arange(n + 1)
    E[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = 0 if d(a[i - 1], b[j - 1]) < eps else 1
            E[i, j] = min(E[i - 1, j - 1] + s, E[i - 1, j] + 1, E[i, j - 1] + 1)
    return E[n, m] / max(n, m) if normalize else E[n, m]


def erp(a, b, g=None, space="euclidean"):
    d = ground(space)
    g = np.zeros(len(a[0])) if g is None else np.asarray(g, dtype=float)
    n, m = len(a), len(b)
    C = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        C[i, 0] = C[i - 1, 0] + d(a[i - 1], g)
    for j in range(1, m + 1):
        C[0, j] = C[0, j - 1] + d(b[j - 1], g)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            C[i, j] = min(C[i - 1, j] + d(a[i - 1], g), C[i, j - 1] + d(b[j - 1], g),
                          C[i - 1, j - 1] + d(a[i - 1], b[j - 1]))
    return C[n, m]


# ---------------------------------------------------------------- shape metrics
def hausdorff(a, b, space="euclidean"):
    h = lambda x, y: max(point_to_polyline(p, y, space) for p in x)
    return max(h(a, b), h(b, a))


def sspd(a, b, space="euclidean"):
    spd = lambda x, y: float(np.mean([point_to_polyline(p, y, space) for p in x]))
    return (spd(a, b) + spd(b, a)) / 2


# ---------------------------------------------------------------- exact Fréchet
def _free(p, s, e, eps):
    """Interval of t in [0,1] with |s + t(e-s) - p| <= eps, or None. Solved around the foot of
    the perpendicular from p (the quadratic formula cancels badly when the interval is thin)."""
    p, s, e = (np.asarray(v, dtype=float) for v in (p, s, e))
    d = e - s
    A = float(d @ d)
    if A == 0:
        return (0.0, 1.0) if eucl(p, s) <= eps else None
    t0 = float((p - s) @ d) / A
    foot = s + t0 * d
    h2 = float((p - foot) @ (p - foot))
    if h2 > eps * eps:
        return None
    w = math.sqrt((eps * eps - h2) / A)
    lo, hi = max(0.0, t0 - w), min(1.0, t0 + w)
    return (lo, hi) if lo <= hi else None


def frechet_decide(P, Q, eps):
    """Alt-Godau reachability; True when the Fréchet distance is <= eps."""
    n, m = len(P), len(Q)
    if eucl(P[0], Q[0]) > eps or eucl(P[-1], Q[-1]) > eps:
        return False
    # LR[i][j]: reachable interval on vertical edge x=i, y in [j, j+1]; BR[i][j]: on y=j, x in [i,i+1]
    LR = [[None] * (m - 1) for _ in range(n)]
    BR = [[None] * m for _ in range(n - 1)]
    for j in range(m - 1):
        f = _free(P[0], Q[j], Q[j + 1], eps)
        if f and f[0] == 0 and (j == 0 or (LR[0][j - 1] and LR[0][j - 1][1] == 1)):
            LR[0][j] = f
    for i in range(n - 1):
        f = _free(Q[0], P[i], P[i + 1], eps)
        if f and f[0] == 0 and (i == 0 or (BR[i - 1][0] and BR[i - 1][0][1] == 1)):
            BR[i][0] = f
    for i in range(n - 1):
        for j in range(m - 1):
            L, Bo = LR[i][j], BR[i][j]
            fr = _free(P[i + 1], Q[j], Q[j + 1], eps)
            ft = _free(Q[j + 1], P[i], P[i + 1], eps)
            if fr:
                if Bo:
                    LR[i + 1][j] = fr
                elif L and max(fr[0], L[0]) <= fr[1]:
                    LR[i + 1][j] = (max(fr[0], L[0]), fr[1])
            if ft:
                if L:
                    BR[i][j + 1] = ft
                elif Bo and max(ft[0], Bo[0]) <= ft[1]:
                    BR[i][j + 1] = (max(ft[0], Bo[0]), ft[1])
    a, b = LR[n - 1][m - 2], BR[n - 2][m - 1]
    return bool((a and a[1] == 1) or (b and b[1] == 1))


def frechet_critical_values(P, Q):
    P, Q = np.asarray(P, float), np.asarray(Q, float)
    vals = {eucl(P[0], Q[0]), eucl(P[-1], Q[-1])}

    def exact_seg(p, s, e):
        d = e - s
        L = float(d @ d)
        t = 0.0 if L == 0 else min(1.0, max(0.0, float((p - s) @ d) / L))
        return eucl(p, s + t * d)

    for X, Y in ((P, Q), (Q, P)):
        for p in X:
            for j in range(len(Y) - 1):
                vals.add(exact_seg(p, Y[j], Y[j + 1]))
        # type c: the point of a segment of Y equidistant from two vertices of X
        for k in range(len(X)):
            for l in range(k + 1, len(X)):
                for j in range(len(Y) - 1):
                    s, e = Y[j], Y[j + 1]
                    d = e - s
                    w = X[l] - X[k]
                    den = 2 * float(d @ w)
                    if den == 0:
                        continue
                    t = (float(X[l] @ X[l] - X[k] @ X[k]) - 2 * float(s @ w)) / den
                    if 0 <= t <= 1:
                        vals.add(eucl(s + t * d, X[k]))
    return sorted(vals)


def frechet(P, Q):
    P, Q = np.asarray(P, float), np.asarray(Q, float)
    if len(P) == 1 or len(Q) == 1:
        p, t = (P[0], Q) if len(P) == 1 else (Q[0], P)
        return max(eucl(p, q) for q in t)
    cands = frechet_critical_values(P, Q)
    lo, hi = 0, len(cands) - 1
    ok = lambda v: frechet_decide(P, Q, v * (1 + 1e-10) + 1e-300)
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(cands[mid]):
            hi = mid
        else:
            lo = mid + 1
    return cands[lo]


# ---------------------------------------------------------------- EDwP
def edwp(a, b):
    """The recursion of Ranu et al. (ICDE 2015), memoised on (segment, start point) of both
    trajectories. A state is what is left of each: the remaining piece (s, e) of its current
    segment and the segments after it. Moves, with rep = d(sa, sb) + d(ea', eb') and
    cov = |sa ea'| + |sb eb'| for the two pieces matched:
      - replace: match (sa, ea) with (sb, eb); both go on to their next segments;
      - insert into A: split A's remaining piece at p, the projection of eb onto that piece
        (clamped to it: p never lies behind sa), match (sa, p) with (sb, eb); A goes on from p
        on the same segment, B to its next segment;
      - insert into B: symmetrically.
    0 when both are consumed, infinity when only one is. A one-point trajectory is one
    zero-length segment [p, p]."""
    A = [tuple(map(float, p)) for p in a]
    B = [tuple(map(float, p)) for p in b]
    if len(A) == 1:
        A = A * 2
    if len(B) == 1:
        B = B * 2

    def proj(p, s, e):
        """The point of the segment [s, e] nearest p."""
        s, e, p = map(np.asarray, (s, e, p))
        d = e - s
        L = float(d @ d)
        t = 0.0 if L == 0 else min(1.0, max(0.0, float((p - s) @ d) / L))
        return tuple((s + t * d).tolist())

    @lru_cache(maxsize=None)
    def go(k, sa, l, sb):
        if k == len(A) - 1 and l == len(B) - 1:
            return 0.0
        if k == len(A) - 1 or l == len(B) - 1:
            return math.inf
        ea, eb = A[k + 1], B[l + 1]
        best = go(k + 1, A[k + 1], l + 1, B[l + 1]) + (eucl(sa, sb) + eucl(ea, eb)) * (eucl(sa, ea) + eucl(sb, eb))
        p = proj(eb, sa, ea)  # on A's remaining piece
        best = min(best, go(k, p, l + 1, B[l + 1]) + (eucl(sa, sb) + eucl(p, eb)) * (eucl(sa, p) + eucl(sb, eb)))
        q = proj(ea, sb, eb)  # on B's remaining piece
        best = min(best, go(k + 1, A[k + 1], l, q) + (eucl(sa, sb) + eucl(ea, q)) * (eucl(sa, ea) + eucl(sb, q)))
        return best

    return go(0, A[0], 0, B[0])


# ---------------------------------------------------------------- SOWD on cells
def owd_cells(c1, c2):
    return float(np.mean([min(eucl(p, q) for q in c2) for p in c1]))


def sowd_cells(c1, c2):
    return (owd_cells(c1, c2) + owd_cells(c2, c1)) / 2

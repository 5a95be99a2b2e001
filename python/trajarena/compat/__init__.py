"""Compatibility layers for code written against other libraries.

``from trajarena.compat import traj_dist`` (or ``import trajarena.compat.traj_dist as tdist``)
replaces ``import traj_dist.distance as tdist``: same names, signatures, defaults and numbers.
"""

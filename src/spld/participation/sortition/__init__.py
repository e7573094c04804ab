"""Panels drawn by lot: pools, quotas, LEXIMIN selection probabilities and a replayable draw.

Pure Python over HiGHS, no Django, so that a published draw can be recomputed outside the
product from its public data.
"""

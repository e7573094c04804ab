"""Panels drawn by lot: pools, quotas, LEXIMIN selection probabilities and a replayable draw.

Pure Python over HiGHS, no Django: the same code runs in the product, in `spld panel replay`
and in anyone's own check of a published draw.
"""

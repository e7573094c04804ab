"""Participation: consultations and citizen panels drawn by lot (issues 15 and 16)."""

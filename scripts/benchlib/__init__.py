"""Helpers shared by scripts/bench and scripts/soak (not part of the installed package)."""

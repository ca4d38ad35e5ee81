"""The attack submissions are data for test_attacks.py, never tests or conftest files of this suite."""

collect_ignore = ["submissions"]

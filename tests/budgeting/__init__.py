"""Tests of participatory budgeting: Pabulib files, rules, tallies."""

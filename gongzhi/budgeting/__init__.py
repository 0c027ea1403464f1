"""Participatory budgeting (参与式预算): Pabulib files, voting rules and tallies, without Django."""

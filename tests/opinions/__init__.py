"""Tests of the opinion map: the Polis method, its CSV layout and the command-line tool."""

"""Tests of the vote-counting algorithms (gongzhi.voting.tally)."""

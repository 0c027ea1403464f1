"""Voting: counting the ballots of the community's decisions (计票)."""

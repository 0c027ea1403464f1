"""Evaluation of empowerment (赋权评估): indicators every app feeds, split by group, recomputable from an export."""

"""Shared spaces and resources (issue 20): booking, lending, idle-space revival, demand forecasts."""

"""Who may do what with bodies, panels, supervision opinions and partners."""

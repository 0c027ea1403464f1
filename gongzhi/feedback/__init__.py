"""The feedback hotline (接诉即办): residents' tickets and their routing to a category."""

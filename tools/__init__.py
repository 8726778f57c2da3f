"""Developer tools (the mutation campaign, the Gradescope zip builder)."""

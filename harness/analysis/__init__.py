"""What is computed from stored rows: statistics, scoreboards, comparisons, gates, audits.
Nothing here calls a backend."""

"""DuckDB files the harness keeps: a generic migration runner, the conversation store (and, from
the evaluation issues, the results store). Plain SQL works on every file."""

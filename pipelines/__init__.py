"""The project's item pipelines: normalize raw values, then store them in the SQLite archive."""

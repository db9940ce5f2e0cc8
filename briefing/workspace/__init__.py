"""The workspace's settings: briefing.toml, environment variables and options, merged."""

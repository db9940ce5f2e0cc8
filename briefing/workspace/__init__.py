"""The workspace: briefing.toml and its settings, `briefing init`, the JSON Schemas for editors."""

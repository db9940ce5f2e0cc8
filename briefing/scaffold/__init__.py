"""What `briefing init` writes: a new workspace's files, and the JSON Schemas editors read.

It stands above the settings (workspace/) and the facts (facts/), both of which it describes."""

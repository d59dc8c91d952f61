"""The installed template profiles (`poa templates`): TOML files read as data, never imported."""

"""Where messages come from: thin adapters between wire formats and `UserMessage`/`BotMessage`."""

"""What the bot does: rasa-sdk actions (one module per topic) and the shop services they call."""

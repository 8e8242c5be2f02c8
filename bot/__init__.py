"""Shopbot's core: messages, tracker, policy, engine, stores, settings and the app factory."""

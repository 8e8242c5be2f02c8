"""The description writer: product copy from a model, checked against the product record."""

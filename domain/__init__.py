"""The domain: the exchange format's models, vocabulary, business calendar and rules."""

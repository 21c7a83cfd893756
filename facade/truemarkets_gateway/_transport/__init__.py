"""Sending: the retry loop's decisions, authentication and tokens, and response -> typed error."""

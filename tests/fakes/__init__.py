"""Labelled in-test stand-ins for services that cannot run in this environment."""

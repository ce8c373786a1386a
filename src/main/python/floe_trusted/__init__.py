"""Floe's trusted writer: catalog writes the service makes itself (demo seeding, saves)."""

"""Fictional demo data: seed_demo, demo_totp and the builders they call."""

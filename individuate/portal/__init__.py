"""Dashboards and the therapist's client pages: the one place that composes several apps."""

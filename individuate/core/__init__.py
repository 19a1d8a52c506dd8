"""The ground under every app: errors, HTTP helpers, time, mail, the records registry, privacy, charts, crisis."""

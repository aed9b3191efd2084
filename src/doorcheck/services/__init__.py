"""Services the kiosk's screens and commands call; they hand out plain data."""

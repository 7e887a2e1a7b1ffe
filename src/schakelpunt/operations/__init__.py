"""Running Schakelpunt as a service: health, metrics, logs, backup and restore."""

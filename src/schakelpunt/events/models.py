"""Subscriptions of other systems and the deliveries of events to them."""

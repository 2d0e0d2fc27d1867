"""Notifications: the outbox delivered by a worker over e-mail, webhook and text message; the inbox."""

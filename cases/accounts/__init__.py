"""Accounts: sessions and API tokens in the database, passwords and their policy, the account
lifecycle, throttling of guesses, and the office's audit log of administrative changes."""

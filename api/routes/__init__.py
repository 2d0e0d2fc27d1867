"""The JSON API under /api/v1 (contract.md, "HTTP"), one router per domain; /healthz beside it."""

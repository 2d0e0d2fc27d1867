"""The pydantic models of the JSON API: each route's request body and answer, by domain."""

"""Gherkin scenarios of the statute (a package, so its conftest does not shadow the root one)."""

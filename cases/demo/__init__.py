"""The demo office (``shoujie demo``): its people, its cases, and the loader."""

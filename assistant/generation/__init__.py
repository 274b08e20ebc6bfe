"""Answer composers: the offline extractive default, and (later) LLM backends."""

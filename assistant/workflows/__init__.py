"""Work products built on retrieval and grounding: evidence table (strategy, onboarding and drafts to come)."""

"""QC Assist: a bilingual knowledge assistant for quality-control practice."""

__version__ = "0.1.0"

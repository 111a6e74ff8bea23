"""Stage 2, store: match brands, detect language, deduplicate and store what connectors fetched.

Next stop: `sentiment/` scores the stored mentions.
"""

"""Stage 3, draft: decide which mentions deserve an answer, draft it from a template, check it; agents decide.

`pipeline.draft_mentions` is what the flows call; `decisions` is what the inbox calls.
"""

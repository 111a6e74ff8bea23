"""Understanding a mention beyond its sentiment: topic, relevance ("not about us"), matching help articles and
earlier answers, all from the one e5 embedding the scoring stage stored for it (store.embeddings)."""

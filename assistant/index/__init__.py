"""The index layer: embedders, dense (FAISS) and lexical indexes over the store."""

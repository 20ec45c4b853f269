"""Build-time generators of the resources georisk ships (the sample, the corpus, the model); not runtime code."""

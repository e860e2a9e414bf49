"""What the gateway (bot/ and the packages above it), the action server (actions/) and the
knowledge base share: the error hierarchy, the text catalogues' lookup and the words the
assistant understands without the NLU. A plain library: it imports nothing of ours."""

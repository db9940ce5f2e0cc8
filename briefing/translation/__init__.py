"""The translation stage: free texts into each target language, through memory and engine."""

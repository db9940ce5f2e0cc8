"""The translation memory: segments translated before, by machine or by a reviewer."""

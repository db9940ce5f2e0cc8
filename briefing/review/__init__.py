"""The review round trip: sentences out to a reviewer, approved translations back in."""

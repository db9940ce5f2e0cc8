"""What several test modules share beyond conftest's fixtures and runners."""

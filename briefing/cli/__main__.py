"""`python -m briefing.cli`, as the tests run the command line in a child process."""

from briefing.cli.app import main

main()

"""YAML written by people, read without surprises: bounded reading and decoding (`reading`),
plain data with the line and column of every value (`positions`), the characters a document
cannot hold (`cleaning`), a schema's errors located in the file (`problems`), and a file that
is the same at every start kept parsed in briefing's cache folder while provably current
(`cache`).

Facts files, glossaries and templates' settings all come from here, so it sits below every
stage that reads them.
"""

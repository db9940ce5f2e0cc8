"""The templates bundled with briefing, one folder each (template.yaml, the document template,
the reference .docx). Installed as `briefing.templates` (pyproject.toml maps this folder into
the package), where briefing.output.template finds them with importlib.resources."""

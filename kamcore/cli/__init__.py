"""The command line: ``python -m kamcore <command>`` (``main``), with the import and risk commands."""

"""Words and pictures: the translation table, charts, Excel and CSV exports, the printable summary, safe text."""

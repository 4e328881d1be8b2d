"""Account work: dossier, hand edits, prospects, managers, account-based marketing, win-back."""

"""Who may do what: sign-in and the analyst password (issue 18 adds users, roles, scope and the audit log)."""

"""The HTTP service: every declared domain task behind an authenticated API (`rightsized serve`)."""

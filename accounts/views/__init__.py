"""Views of the accounts app: ``site`` for the public account pages, ``review`` for the admin's request review."""

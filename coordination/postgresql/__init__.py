"""Django's PostgreSQL backend, telling a commit that failed apart from any other failure."""

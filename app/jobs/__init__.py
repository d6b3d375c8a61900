"""Long work with a row in the DB, progress events and a cancel/pause path."""

"""Domain logic. Imports no NiceGUI: both the pages and the REST API call these functions."""

"""The NiceGUI face: pages and components. Talks to the domain only through app.services."""

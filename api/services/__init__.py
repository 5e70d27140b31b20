"""Services: what the API, the CLI and the web pages call."""

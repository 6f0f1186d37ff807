"""The web workspace: every person in the procedure works in a browser, in the roles the server gives them."""

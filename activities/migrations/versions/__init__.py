"""Revisions of the register schema, oldest first (0001 the baseline). A package, so an installed wheel has them."""

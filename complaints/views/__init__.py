"""The desk's pages; every read goes through the selectors, every change through the services."""

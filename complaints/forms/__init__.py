"""The page forms; their field names are the API's, so a page and a client say the same thing."""

"""The weekly category summary: figures, page, exports, command, API and the Monday email."""

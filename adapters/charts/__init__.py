"""Charts drawn for people: SVG run and control charts."""

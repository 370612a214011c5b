"""Charts drawn for people: SVG run and control charts and the driver diagram."""

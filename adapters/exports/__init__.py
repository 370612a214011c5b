"""Exports people take away: the implementation toolkit as one HTML page and as PDF."""

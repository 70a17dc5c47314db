"""Media intake: preservation originals and their access copies."""

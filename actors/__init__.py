"""The pipeline actors (one resource each) and what they drive: storage, media, transport."""

if __name__ != "ferry.actors":  # this folder imported by its own name, from a checkout
    raise ImportError("import ferry.actors, not actors: the folder is part of the ferry package")

"""Build stages: raw/ → validated tables → data/. One module per artefact."""

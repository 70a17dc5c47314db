"""The statistics' views: open-data downloads (``opendata``) and the public pages (``pages``)."""

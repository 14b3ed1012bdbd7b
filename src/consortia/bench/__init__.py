"""The `consortia bench` benchmark: a synthetic large network served by the real server."""

"""micromoments serve: profiles and the next best action by user id over HTTP (docs/SERVING.md)."""

"""SavedModel export for TF Serving (`pixel_zoo.export_lib`), its flag script, and serving clients."""

"""Store backends. Each is imported lazily by name through ``pia_kg.store.open_store``."""

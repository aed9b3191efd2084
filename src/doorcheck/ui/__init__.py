"""PySide6 widgets and Qt glue. Widgets get plain data from services, never the ORM."""

"""Where state lives: the SQL database (engine, tables, migrations, transcript, retention) and
Redis (key names, the lean pipeline connection, citizen sessions)."""

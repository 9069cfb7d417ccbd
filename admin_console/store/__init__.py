"""The database: ORM, migrations, the daily and monthly counts, GC pauses."""

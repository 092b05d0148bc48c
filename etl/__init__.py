"""ETL for the Hunan Women's Federation statistics: read → validate → load city returns into DuckDB."""

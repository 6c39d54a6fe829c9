"""Runs each line of queries.sql through psqlODBC + unixODBC (the route of Power BI and Excel)
and prints the rows tab-separated, for comparison with psql's output.

Usage: python3 odbc_check.py "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5499;DATABASE=db;UID=postgres" queries.sql
"""
import sys

import pyodbc

conn = pyodbc.connect(sys.argv[1], autocommit=True)
cur = conn.cursor()
with open(sys.argv[2]) as f:
    for q in (line.strip() for line in f):
        if not q:
            continue
        cur.execute(q)
        for row in cur.fetchall():
            print("\t".join("" if v is None else str(v) for v in row))

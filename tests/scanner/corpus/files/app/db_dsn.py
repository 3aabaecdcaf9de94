# ruff: noqa
import psycopg2

DSN = "host=pg-main.corp.internal port=5432 dbname=orders user=svc password=Bb1vPaljn1ENhaFoRL sslmode=require"
TEST_DSN = "host=localhost dbname=test user=postgres password=postgres"
dsn = f"host={host} dbname={db} user={user} password={password}"

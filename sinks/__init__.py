"""The ClickHouse sink and the analysts' side: schema, rows, sink agent, queries, erasure."""

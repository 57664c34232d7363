"""HTTP concerns: the GraphQL endpoint, GraphiQL, health; `app.py` wires them."""

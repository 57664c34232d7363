"""The benchmark against peers: data generator, load runner, SQL counting, profile (see README.md)."""

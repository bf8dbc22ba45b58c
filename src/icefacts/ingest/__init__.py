"""Read release files into typed Arrow tables with provenance."""

"""Routes for interpersonal therapy's records, one blueprint per thing (docs/api-ipt.md)."""

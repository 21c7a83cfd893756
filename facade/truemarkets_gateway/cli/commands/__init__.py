"""The `tmgw` commands, one module per area."""

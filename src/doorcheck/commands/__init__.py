"""The subcommands of ``doorcheck``, grouped by what they work on; ``cli`` parses."""

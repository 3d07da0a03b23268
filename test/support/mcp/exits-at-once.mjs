// An MCP server that cannot start: says why on stderr and exits before answering anything.
process.stderr.write("fatal: missing DATABASE_URL\n");
process.exit(3);

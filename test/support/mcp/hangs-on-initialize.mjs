// An MCP server that reads its stdin and never answers (a server stuck before initialize).
process.stdin.resume();
setInterval(() => {}, 60_000);

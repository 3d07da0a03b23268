// The default ports of the local servers the CLI starts, in one place so no two collide.
/** `share serve`: where share links point when `share.baseUrl` is unset. */
export const DEFAULT_SHARE_PORT = 7878;
/** `stats --serve`: the usage dashboard. */
export const DEFAULT_STATS_PORT = 7879;
/** `sync serve`: a team's Hocuspocus server. */
export const DEFAULT_SYNC_PORT = 7880;

export { ConfigStore, SOURCE_ORDER, type SourceKind } from "./store.ts";
export { loadConfigFiles } from "./load.ts";
export { userConfigPath, workspaceConfigPath } from "./files.ts";
export { formatIssue, type Config, type ConfigInput, type ConfigIssue, type ProviderConfig, type ProxyConfig, type ReviewConfig } from "./schema.ts";
export { DEFAULTS } from "./defaults.ts";

export { scrubEnv, isSecretName } from "./env.ts";
export { DEFAULT_LIMITS, detectLimitMethod, which, withLimits, type LimitMethod, type ResourceLimits } from "./limits.ts";
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_MS,
  HeadTailBuffer,
  killGroup,
  runCommand,
  type RunOptions,
  type RunResult,
} from "./process.ts";
export { liveServices, spawnService, type Service, type ServiceOptions } from "./service.ts";

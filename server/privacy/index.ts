// privacy/: encryption and the eraser, telemetry (opt-in), policy, the audit log, signed offline
// models. Imports config and log only. Heavy parts (prom-client, the ollama SDK) load on first use.
export { audit, auditCommand, AuditLog, configureAudit, forwardAuditTo, currentAuditLog, defaultAuditPath, setAuditLog, verifyAuditLog, type AuditEntry, type AuditEvent, type AuditEventName, type AuditVerifyResult } from "./audit.ts";
export { createKey, open, seal, SealedTranscript, SessionKey, wipe } from "./encryption.ts";
export { auditPolicyDenial, checkPath, checkProvider, checkRequestURL, checkTool, hostOf, isLoopbackHost, isLoopbackURL, PolicyDenied, type Policy } from "./policy.ts";
export { createSigningKey, keysDir, loadSigningKey, parsePublicKey } from "./trust-keys.ts";
export { MANIFEST_FILE, signModelDir, verifyModelDir, type VerifyResult } from "./trust.ts";
export { trustCommand, type CommandIO } from "./trust-command.ts";
export { loadOfflineModel, type LoadOptions, type LoadResult } from "./offline-models.ts";
export { createTelemetry, type ReviewOutcome, type Telemetry, type TelemetryOptions } from "./telemetry.ts";

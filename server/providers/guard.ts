// The policy check at the place requests are made: every adapter call goes through here first. In
// offline mode a request to any host that is not loopback (localhost, 127.0.0.0/8, ::1) is refused
// before the SDK is even asked, so no socket is opened; a provider outside policy.allowProviders is
// refused the same way. Every refusal and every contacted host goes to the audit log.
import { audit } from "../privacy/audit.ts";
import { auditPolicyDenial, checkProvider, checkRequestURL, hostOf, type Policy } from "../privacy/policy.ts";
import { ProviderError } from "./errors.ts";
import type { Adapter } from "./types.ts";

export function guardAdapter(adapter: Adapter, policy: () => Policy | undefined): Adapter {
  return (target, request, signal) => {
    const current = policy();
    const denial = checkRequestURL(target.baseURL, current) ?? checkProvider(target.provider, current);
    if (denial) {
      auditPolicyDenial(denial, { provider: target.provider, host: hostOf(target.baseURL), model: target.model });
      return Promise.reject(new ProviderError("policy", `${target.provider}: ${denial.message}`, { provider: target.provider, endpoint: target.baseURL }));
    }
    audit({ event: "provider.contacted", provider: target.provider, host: hostOf(target.baseURL), protocol: target.protocol, model: target.model });
    return adapter(target, request, signal);
  };
}

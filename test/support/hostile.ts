// Hostile-input cases: each one a test, each counted; the file prints its tally at the end
// ("hostile input (tools): 31 cases, 31 refused/contained"). A case passes when the input was
// refused or contained (nothing leaked, nothing escaped, nothing hung).
import { afterAll, it } from "vitest";

export function hostileSuite(door: string): (name: string, body: () => Promise<void> | void, timeoutMs?: number) => void {
  const tally = { cases: 0, contained: 0 };
  afterAll(() => {
    process.stdout.write(`hostile input (${door}): ${tally.cases} cases, ${tally.contained} refused/contained\n`);
  });
  return (name, body, timeoutMs) => {
    tally.cases++;
    it(
      name,
      async () => {
        await body();
        tally.contained++;
      },
      timeoutMs,
    );
  };
}

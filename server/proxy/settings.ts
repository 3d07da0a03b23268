// Answers a proxied server's `workspace/configuration` from its entry's `settings`: each item's
// section is a dotted path into them ("python.analysis" → settings.python.analysis).

export function configurationFor(settings: Record<string, unknown> | undefined, items: { section?: string }[]): unknown[] {
  return items.map((item) => lookup(settings ?? {}, item.section));
}

function lookup(settings: Record<string, unknown>, section: string | undefined): unknown {
  if (!section) return settings;
  let value: unknown = settings;
  for (const key of section.split(".")) {
    if (typeof value !== "object" || value === null) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

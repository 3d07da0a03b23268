// Diagnostics from several sources (each proxied server, and later our own) merged per document.
import type { Diagnostic } from "vscode-languageserver-protocol";

export type PublishDiagnostics = (uri: string, diagnostics: Diagnostic[], version?: number) => void;

export class DiagnosticsMerger {
  private readonly byUri = new Map<string, Map<string, Diagnostic[]>>();
  private readonly publish: PublishDiagnostics;

  constructor(publish: PublishDiagnostics) {
    this.publish = publish;
  }

  /** Replaces what `source` says about `uri`, and republishes the merged list. */
  set(source: string, uri: string, diagnostics: Diagnostic[], version?: number): void {
    let sources = this.byUri.get(uri);
    if (!sources) this.byUri.set(uri, (sources = new Map()));
    if (diagnostics.length === 0) sources.delete(source);
    else sources.set(source, diagnostics);
    if (sources.size === 0) this.byUri.delete(uri);
    this.publish(uri, this.get(uri), version);
  }

  /** Drops everything `source` said (it crashed or stopped), republishing the affected documents. */
  clearSource(source: string): void {
    for (const [uri, sources] of this.byUri) if (sources.has(source)) this.set(source, uri, []);
  }

  get(uri: string): Diagnostic[] {
    return [...(this.byUri.get(uri)?.values() ?? [])].flat();
  }
}

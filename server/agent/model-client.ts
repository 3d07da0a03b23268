// What the agent needs from the providers layer: one streaming call by "provider/model" id.
import type { ModelRequest, StreamEvent } from "../providers/types.ts";

export interface ModelClient {
  stream(model: string, request: ModelRequest): AsyncIterable<StreamEvent>;
  /** Why this model cannot be used now, or undefined. */
  checkModel?(model: string): string | undefined;
  /** One line telling a user how to get a model going. */
  setupHint?(): string;
  contextWindow?(model: string): number | undefined;
}

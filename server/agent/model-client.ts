// What the agent needs from the providers layer: one streaming call by "provider/model" id.
import type { ModelRequest, StreamEvent } from "../providers/types.ts";

export interface ModelClient {
  stream(model: string, request: ModelRequest): AsyncIterable<StreamEvent>;
}

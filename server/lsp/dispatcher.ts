// The dispatcher: every request the front answers goes through here. It enforces the lifecycle
// (ServerNotInitialized before `initialize`, InvalidRequest after `shutdown`), validates params
// once at the edge (zod → InvalidParams), turns thrown errors into JSON-RPC errors, and publishes
// each request's latency on the bus. Requests nobody handles go to the fallbacks (the proxied
// servers), else MethodNotFound.
import * as z from "zod/mini";
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
} from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import type { Logger } from "../log.ts";

/** Distinct method names latency is kept for. */
const MAX_LATENCY_METHODS = 128;

export type Lifecycle = "starting" | "initialized" | "shutdown";

export type RequestHandler<P, R> = (params: P, token: CancellationToken) => R | Promise<R>;

/** Fallback for requests no handler is registered for (later: routed to proxied servers). */
export type UnhandledRequest = (method: string, params: unknown, token: CancellationToken) => Promise<unknown> | undefined;

export interface RequestOptions {
  /** While this holds, the answer is the proxied servers' alone: the request may bypass the handler. */
  proxiedWhen?: () => boolean;
}

export class Dispatcher {
  state: Lifecycle = "starting";
  private readonly connection: Connection;
  private readonly bus: Bus;
  private readonly log: Logger;
  private readonly unhandled: UnhandledRequest[] = [];
  private readonly labels = new Set<string>();
  /** Methods answered here (and the library's lifecycle ones), with their RequestOptions. */
  private readonly own = new Map<string, RequestOptions>([
    ["initialize", {}],
    ["shutdown", {}],
  ]);

  constructor(connection: Connection, bus: Bus, log: Logger) {
    this.connection = connection;
    this.bus = bus;
    this.log = log;
    connection.onRequest((method, params, token) =>
      this.run(method, token, () => {
        for (const fallback of this.unhandled) {
          const answer = fallback(method, params, token);
          if (answer) return answer;
        }
        throw new ResponseError(ErrorCodes.MethodNotFound, `Unhandled method ${method}`);
      }),
    );
  }

  /** Registers a request handler whose params are validated by `schema`. */
  request<S extends z.core.$ZodType, R>(method: string, schema: S, handler: RequestHandler<z.output<S>, R>, options: RequestOptions = {}): void {
    this.own.set(method, options);
    this.connection.onRequest(method, (raw: unknown, token: CancellationToken) =>
      this.run(method, token, () => handler(this.validate(method, schema, raw), token)),
    );
  }

  /** Wraps a handler registered elsewhere (initialize, shutdown go through the library's hooks). */
  timed<R>(method: string, token: CancellationToken, body: () => R | Promise<R>): Promise<R> {
    return this.run(method, token, body, true);
  }

  onUnhandled(fallback: UnhandledRequest): void {
    this.unhandled.push(fallback);
  }

  /** Whether a request is for the proxied servers alone: after initialize, no handler of ours adds to it. */
  proxiedOnly(method: string): boolean {
    if (this.state !== "initialized" || method.startsWith("$/")) return false;
    const own = this.own.get(method);
    return own === undefined || own.proxiedWhen?.() === true;
  }

  /** Publishes a request's latency (for requests answered elsewhere: passed through to a proxied server). */
  completed(method: string, started: number, ok: boolean): void {
    this.bus.publish({ type: "request.completed", method: this.label(method), ms: performance.now() - started, ok });
  }

  /** The method as latency is kept under it: past MAX_LATENCY_METHODS distinct names, "(other)" (an editor's made-up names must not grow the table). */
  private label(method: string): string {
    if (this.labels.has(method)) return method;
    if (this.labels.size >= MAX_LATENCY_METHODS) return "(other)";
    this.labels.add(method);
    return method;
  }

  validate<S extends z.core.$ZodType>(method: string, schema: S, raw: unknown): z.output<S> {
    const result = z.safeParse(schema, raw);
    if (result.success) return result.data;
    const detail = result.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join(".") : "params"}: ${issue.message}`)
      .join("; ");
    throw new ResponseError(ErrorCodes.InvalidParams, `Invalid params for ${method}: ${detail}`);
  }

  private async run<R>(method: string, token: CancellationToken, body: () => R | Promise<R>, lifecycle = false): Promise<R> {
    const started = performance.now();
    let ok = false;
    try {
      if (!lifecycle && this.state === "starting") {
        throw new ResponseError(ErrorCodes.ServerNotInitialized, `Server not initialized: ${method} before initialize`);
      }
      if (!lifecycle && this.state === "shutdown") {
        throw new ResponseError(ErrorCodes.InvalidRequest, `Server is shutting down: ${method} after shutdown`);
      }
      const result = await body();
      ok = true;
      return result;
    } catch (error) {
      if (error instanceof ResponseError) {
        this.log.debug({ method, code: error.code }, error.message);
        throw error;
      }
      if (token.isCancellationRequested) {
        throw new ResponseError(LSPErrorCodes.RequestCancelled, `${method} was cancelled`);
      }
      this.log.error({ method, err: error }, `${method} failed`);
      throw new ResponseError(ErrorCodes.InternalError, `${method} failed: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      this.completed(method, started, ok);
    }
  }
}

// Progress on stderr: on a terminal a bar redrawn in place, otherwise one line per model when it is
// done (logs stay readable). stdout is left for the table or the JSON.

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  /** One request finished for `model`. */
  tick(model: string, failed: boolean): void;
  /** A model is done: its line. */
  modelDone(model: string, done: number, errors: number, ms: number): void;
  end(): void;
}

const WIDTH = 28;

export function progress(out: ProgressOutput, total: number): Progress {
  let done = 0;
  let failed = 0;
  const draw = (model: string) => {
    const filled = Math.round((done / Math.max(1, total)) * WIDTH);
    out.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${done}/${total}${failed ? ` (${failed} failed)` : ""} ${model}`);
  };
  return {
    tick(model, error) {
      done++;
      if (error) failed++;
      if (out.isTTY) draw(model);
    },
    modelDone(model, count, errors, ms) {
      const line = `bench: ${model}: ${count} requests, ${errors} failed, ${(ms / 1000).toFixed(1)} s`;
      out.write(out.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
      if (out.isTTY && done < total) draw("");
    },
    end() {
      if (out.isTTY) out.write("\r\x1b[K");
    },
  };
}

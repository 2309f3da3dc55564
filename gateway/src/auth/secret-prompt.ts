import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Asks for a secret on the terminal without echoing it (readline writing to a muted stream), or
 * reads lines from a piped stdin (`--stdin`, for provisioning scripts). Lines are read from one
 * reader, so two prompts in a row get two lines.
 */
export function secretReader(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
) {
  let muted = false;
  const shown = new Writable({
    write(chunk, _enc, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output: shown, terminal: input.isTTY === true });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w('');
  });
  return {
    ask(prompt: string): Promise<string> {
      output.write(prompt);
      muted = true;
      return new Promise<string>((resolve) => {
        const done = (line: string) => {
          muted = false;
          output.write('\n');
          resolve(line);
        };
        const line = lines.shift();
        if (line !== undefined) done(line);
        else if (ended) done('');
        else waiting.push(done);
      });
    },
    close: () => rl.close(),
  };
}

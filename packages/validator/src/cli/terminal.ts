/** The process streams a command uses, passed in so that tests can run commands in-process. */
export interface Terminal {
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

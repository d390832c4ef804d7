/**
 * A reader for the parts of Dockerfile syntax our Dockerfile uses, for static checks (there is no
 * Docker engine where the tests run): instructions with line continuations, build stages, ARG
 * defaults substituted into FROM, exec-form JSON arguments. Not a general parser: heredocs, escape
 * directives and ONBUILD are not handled.
 */

export interface Instruction {
  keyword: string;
  /** The arguments as written (continuations joined with a space). */
  text: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  /** The base image with ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== undefined && line.trimStart().startsWith('#')) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    pending =
      pending === undefined
        ? { text: body.trim(), line: index + 1 }
        : { ...pending, text: `${pending.text} ${body.trim()}` };
    if (!continued) {
      const match = /^(\S+)\s*(.*)$/.exec(pending.text);
      if (match)
        instructions.push({
          keyword: (match[1] ?? '').toUpperCase(),
          text: match[2] ?? '',
          line: pending.line,
        });
      pending = undefined;
    }
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text);
      if (!match) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.text}`);
      const from = (match[1] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string, bare: string) => {
        const name = braced ?? bare;
        const value = globalArgs[name];
        if (value === undefined) throw new Error(`line ${instruction.line}: ARG ${name} has no default`);
        return value;
      });
      stages.push({ name: match[2], from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
      const [name, value] = instruction.text.split('=', 2);
      if (name !== undefined && value !== undefined) globalArgs[name.trim()] = value.trim();
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The arguments of an exec-form instruction (`["a", "b"]`), or undefined for the shell form. */
export function execForm(instruction: Instruction): string[] | undefined {
  if (!instruction.text.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(instruction.text);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) return undefined;
  return parsed;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
  line: number;
}

/** The COPY instructions of a stage: `--from`, sources and destination (flags other than --from dropped). */
export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.text.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      const destination = paths.pop();
      if (destination === undefined || paths.length === 0) {
        throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
      }
      return { from, sources: paths, destination, line: instruction.line };
    });
}

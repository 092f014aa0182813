import { confluenceCatalogue } from '../../toolkit/catalogue.ts';
import { out, outJson, pad, paint } from '../output.ts';

/** Flags of `runner tools`. */
export interface ToolsFlags {
  effect?: 'read' | 'write' | 'destructive';
  json?: boolean;
}

/** Prints the toolkit catalogue. */
export async function toolsCommand(flags: ToolsFlags): Promise<void> {
  const tools = confluenceCatalogue().tools.filter((t) => !flags.effect || t.effect === flags.effect);
  if (flags.json) {
    outJson(tools);
    return;
  }
  const width = Math.max(...tools.map((t) => t.slug.length));
  for (const t of tools) {
    const effect = t.effect === 'destructive' ? paint('red', pad(t.effect, 11)) : t.effect === 'write' ? paint('yellow', pad(t.effect, 11)) : pad(t.effect, 11);
    out(`${pad(t.slug, width)}  ${effect}  ${t.name}`);
  }
  out(`${tools.length} tools`);
}

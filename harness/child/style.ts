// Loads one style's adapter in a child, and only that one: importing the registry would load and
// compile every style (and rxjs, fp-ts, effect) in every child, slowing each start by hundreds of ms and
// putting other styles' code in the measured process. Every style folder is named by its id
// (DESIGN.md: the same files in every style folder), so `styles/<id>/index.js` is the adapter.
// A variant id `<style>+<aid>` loads the style's adapter once the aid is proven on.
import { pathToFileURL } from 'node:url';
import { STYLE_IDS, type StyleAdapter } from '../../styles/adapter.js';
import { aidActive, aidOf } from '../aids.js';

/**
 * A test seam, never set by the kit itself: `ROSETTA_STYLE_OVERRIDE=<id>=<path to a built adapter>`
 * measures that module under the style's id. The regression gate's calibration uses it to run a
 * deliberately slowed copy of a style (harness/fixtures/slow-callbacks.ts) through the real harness.
 */
export const STYLE_OVERRIDE_ENV = 'ROSETTA_STYLE_OVERRIDE';

/**
 * The other calibration seam: with `ROSETTA_SLOW_SERVER=<path to a built adapter>` set, the echo
 * phase measures one more server, `callbacks+slow`, from that module, beside the real callbacks in
 * the same run (`rosetta calibrate`, cli/commands/calibrate.ts). Not a style: never registered.
 */
export const SLOW_SERVER_ENV = 'ROSETTA_SLOW_SERVER';
export const SLOW_SERVER_ID = 'callbacks+slow';

export async function loadStyle(id: string): Promise<StyleAdapter> {
  const slow = process.env[SLOW_SERVER_ENV];
  if (id === SLOW_SERVER_ID && slow !== undefined) {
    const module = (await import(pathToFileURL(slow).href)) as { style?: StyleAdapter };
    if (module.style === undefined) throw new Error(`${slow} does not export an adapter \`style\``);
    return module.style;
  }
  // A variant (`callbacks+trace`) is its style's adapter in a process its parent started with the
  // aid on (harness/aids.ts aidLaunch); one whose aid did not take must not be measured as the variant.
  const aid = aidOf(id);
  if (aid !== undefined) {
    if (!(await aidActive(aid.probe))) {
      throw new Error(`${id}: the ${aid.aid} aid is not active in this process (start it with ${aid.how}; node flags here: ${process.execArgv.join(' ') || 'none'})`);
    }
    return loadStyle(aid.style);
  }
  if (!(STYLE_IDS as readonly string[]).includes(id)) {
    throw new Error(`unknown style ${JSON.stringify(id)}; known: ${STYLE_IDS.join(', ')}`);
  }
  const override = process.env[STYLE_OVERRIDE_ENV]?.match(/^([a-z-]+)=(.+)$/);
  const specifier = override?.[1] === id && override[2] !== undefined ? pathToFileURL(override[2]).href : `../../styles/${id}/index.js`;
  const module = (await import(specifier)) as { style?: StyleAdapter };
  if (module.style?.id !== id) throw new Error(`${specifier} does not export the adapter \`style\` with id ${JSON.stringify(id)}`);
  return module.style;
}

// Loads one style's adapter in a child, and only that one: importing the registry would load and
// compile all six styles (and rxjs, fp-ts) in every child, slowing each start by hundreds of ms and
// putting other styles' code in the measured process. Every style folder is named by its id
// (DESIGN.md: the same files in every style folder), so `styles/<id>/index.js` is the adapter.
import { STYLE_IDS, type StyleAdapter } from '../../styles/adapter.js';

export async function loadStyle(id: string): Promise<StyleAdapter> {
  if (!(STYLE_IDS as readonly string[]).includes(id)) {
    throw new Error(`unknown style ${JSON.stringify(id)}; known: ${STYLE_IDS.join(', ')}`);
  }
  const module = (await import(`../../styles/${id}/index.js`)) as { style?: StyleAdapter };
  if (module.style?.id !== id) throw new Error(`styles/${id}/index.js does not export the adapter \`style\` with id ${JSON.stringify(id)}`);
  return module.style;
}

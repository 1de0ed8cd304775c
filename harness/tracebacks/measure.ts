// The measures of one trace, as pure functions of text: which steps of the logical path show, how
// much of the trace is somebody else's code, whether the message names the failing request.
// Inputs are repo-relative (see source-map.ts); nothing here touches a process or a socket.
import type { CapturedError } from './protocol.js';
import type { StepName, TargetUrl } from './cases.js';
import { parseFrame, parseStack, type Frame } from './frames.js';

/**
 * Where a frame's code lives, from a reader's point of view. `runtime` is a library the style stands
 * on that lives in a subfolder of the style (the coroutine loop under styles/coroutines/loop/): its
 * frames are machinery to a reader, exactly as rxjs's operators in node_modules are.
 */
export type FrameOwner = 'style' | 'scenario' | 'runtime' | 'node' | 'dependency' | 'other';

/** The folders a style's trace may legitimately show: its own, and the scenario's shared code. */
export interface TraceScope {
  /** e.g. `styles/coroutines/`: its top-level files are the style's code; subfolders are runtime. */
  readonly styleDir: string;
  /** e.g. `styles/coroutines/repos-and-forks.ts`: where the steps and the fault origins are. */
  readonly styleFile: string;
  /** e.g. `scenarios/repos-and-forks/`. */
  readonly scenarioDir: string;
}

export function scopeFor(styleFile: string): TraceScope {
  const styleDir = styleFile.slice(0, styleFile.lastIndexOf('/') + 1);
  return { styleDir, styleFile, scenarioDir: 'scenarios/repos-and-forks/' };
}

/** True when `file` (relative, absolute or a file URL) is `relative` of the repo. */
export function sameFile(file: string | null, relative: string): boolean {
  return file !== null && (file === relative || file.endsWith(`/${relative}`));
}

/** The part of `file` after `dir` (matched at the start or after a `/`), or undefined outside it. */
function under(file: string, dir: string): string | undefined {
  if (file.startsWith(dir)) return file.slice(dir.length);
  const at = file.indexOf(`/${dir}`);
  return at === -1 ? undefined : file.slice(at + dir.length + 1);
}

export function frameOwner(frame: Frame, scope: TraceScope): FrameOwner {
  const file = frame.file;
  if (file === null || file.startsWith('node:')) return 'node';
  if (under(file, 'node_modules/') !== undefined) return 'dependency';
  const inStyle = under(file, scope.styleDir);
  if (inStyle !== undefined) return inStyle.includes('/') ? 'runtime' : 'style';
  if (under(file, scope.scenarioDir) !== undefined) return 'scenario';
  return 'other';
}

/** Share of frames outside the style's own and the scenario's files, 0..1; 1 for a trace with no frame. */
export function noiseShare(frames: readonly Frame[], scope: TraceScope): number {
  if (frames.length === 0) return 1;
  const outside = frames.filter((frame) => {
    const owner = frameOwner(frame, scope);
    return owner !== 'style' && owner !== 'scenario';
  }).length;
  return outside / frames.length;
}

/** The frames a reader gets: the error's own stack, then each cause's. */
export function errorFrames(error: CapturedError): Frame[] {
  return [error.stack, ...error.causes.map((cause) => cause.stack)].flatMap((stack) => [...parseStack(stack).frames]);
}

/**
 * Frames of the loop's debug chain (styles/coroutines/loop/debug.ts): it prints each task's
 * `suspended at:` and `created at:` sites as V8 frames, between lines that name the task.
 */
export function debugFrames(chain: string | null): Frame[] {
  if (chain === null) return [];
  return chain.split('\n').flatMap((line) => {
    const frame = parseFrame(line);
    return frame === undefined ? [] : [frame];
  });
}

/**
 * Each step of the path, and whether a frame of the style's file carries its name. An Effect span
 * line counts like a frame: its call site (`at step (file:line)`) or, when the call was made from
 * outside the file (the adapter's), its definition (`at step (definition) (file:line)`).
 */
export function chainCoverage(
  path: readonly StepName[],
  frames: readonly Frame[],
  styleFile: string,
): { step: StepName; present: boolean }[] {
  const named = new Set(frames.filter((frame) => sameFile(frame.file, styleFile)).map((frame) => frame.name));
  return path.map((step) => ({ step, present: named.has(step) }));
}

/**
 * 1-based lines of the frames in the style's file: what the origin distance is measured against.
 * An Effect span's definition line is left out: it says where a step is written, not where it was.
 */
export function styleLines(frames: readonly Frame[], styleFile: string): number[] {
  return frames.flatMap((frame) => (sameFile(frame.file, styleFile) && frame.line !== null && !frame.isDefinition ? [frame.line] : []));
}

/**
 * The failing request's URL (and for an ApiError its status) in the message of the error or of a
 * cause. A URL matches on origin and path; a listing page also on its `page` parameter (1 when absent).
 */
export function hasContext(error: CapturedError, target: TargetUrl, status: number | undefined): boolean {
  const messages = [error.message, ...error.causes.map((cause) => cause.message)];
  const urlFound = messages.some((message) => urlsIn(message).some((url) => matchesTarget(url, target)));
  const statusFound = status === undefined || messages.some((message) => new RegExp(`\\b${status}\\b`).test(message));
  return urlFound && statusFound;
}

/** Every http(s) URL in a text, with trailing punctuation (`:`, `.`, `,`, `)`) removed. */
export function urlsIn(text: string): URL[] {
  const found: URL[] = [];
  for (const match of text.matchAll(/https?:\/\/[^\s"'<>]+/g)) {
    const candidate = match[0].replace(/[:.,;)\]]+$/, '');
    try {
      found.push(new URL(candidate));
    } catch {
      // Not a URL after all (a bare scheme, say): it cannot be the target either.
    }
  }
  return found;
}

function matchesTarget(url: URL, target: TargetUrl): boolean {
  if (url.origin !== target.origin || decodeURIComponent(url.pathname).toLowerCase() !== target.pathname.toLowerCase()) return false;
  if (target.page === undefined) return true;
  return Number(url.searchParams.get('page') ?? '1') === target.page;
}

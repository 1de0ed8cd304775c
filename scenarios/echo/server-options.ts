// The one set of socket options every echo server in the kit listens with, styles and baseline
// alike, so two rows of a report differ only in control flow (DESIGN.md, "Fairness rules").
import type { ServerOpts } from 'node:net';

export const ECHO_SERVER_OPTIONS: Readonly<ServerOpts> = {
  // The client's FIN ends only its direction: the server still writes back what it owes, then ends.
  allowHalfOpen: true,
  // An echo is a request/response exchange; Nagle would hold a reply's tail back waiting for an ACK.
  noDelay: true,
};

// SIGINT and SIGTERM, the signals that ask a chirpd process to stop, taken
// by one thread only. A process blocks them first thing, before it starts
// any thread, so every thread inherits the mask; then the one thread that
// stops the process either unblocks them around its event loop (the HTTP
// server, whose signal set needs them delivered) or waits for them with
// sigwait (a worker). No other thread is ever interrupted by them, and a
// signal never lands on a thread that would notice it late.
#pragma once

namespace chirp {

// Blocks SIGINT and SIGTERM for the calling thread and the threads it
// starts from now on.
void BlockStopSignals();

// Unblocks them for the calling thread alone.
void UnblockStopSignals();

// Waits, with them blocked, until one arrives; returns its number.
int WaitForStopSignal();

}  // namespace chirp

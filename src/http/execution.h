// Where code runs in chirpd, and the one rule a request handler must follow.
//
// Threads
//  - Network threads, one per core, each with its own io_context and
//    listening socket: they parse requests, run the handlers that need only
//    memory, and write answers. A network thread must never wait (for the
//    store, a lock held long, I/O): every connection it serves would wait
//    with it.
//  - The blocking pool (ServerOptions::blocking_threads): handlers that may
//    read the store run here; the request's coroutine waits for the result
//    and resumes on its network thread.
//  - The store's writer (one thread for SQLite): every write is queued to it
//    and committed with others in one transaction (group commit); the caller
//    waits on the pool, never on a network thread.
//  - The event stream's consumers (events/), each on its own thread: fan-out,
//    notifications, streaming, the cache keeper.
//
// How a request picks its thread: each route says what it needs.
//  - kInline: memory only, by construction (health, metrics, static answers).
//  - kMemoryFirst: usually served from memory (a home timeline held in the
//    cache), sometimes not (a reader whose timeline must be rebuilt).
//  - kBlocking: expects the store (writes, listings); runs on the pool.
//
// kInline and kMemoryFirst handlers run on the network thread inside a
// NoWaitScope (core/no_wait.h). Whatever would wait there (the store, a
// rebuild) checks MayWait() and refuses with ErrorCode::kWouldBlock instead.
// The API's endpoint pipeline (api/endpoint.h) then answers with
// HttpResponse::finish_blocking set, and the server runs that on the pool:
//  - refused while authenticating (an unknown token): the whole request
//    starts over; nothing was taken yet;
//  - refused by the handler: the handler runs again on the pool, under the
//    rate-limit decision already taken.
//
// The rule that makes starting over safe: a handler that may run on a
// network thread (kInline, kMemoryFirst) must not change anything before its
// first access that could be refused, that is it must only read until it
// has everything it needs. Writes are therefore kBlocking. Tests check the
// rule: api/endpoint_test.cc (a refused handler runs again on the pool and
// counts once against the rate limit; every kInline route answers without
// waiting on a cold process).
#pragma once

namespace chirp {

enum class Execution { kInline, kBlocking, kMemoryFirst };

}  // namespace chirp

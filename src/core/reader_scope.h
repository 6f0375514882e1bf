// Whom the work on this thread is done for, so that the store can keep an
// account's reads consistent with its own writes when some reads come
// from streaming replicas (store/postgres/pg_replicas.h).
//
// The endpoint pipeline opens a ReaderScope around each handler: the
// account of the request's token (0 when none) and whether the request
// only reads (GET), which is when the store may send reads to a replica
// at all. Work outside any scope (the event consumers, the admin commands)
// reads from the primary. Scopes nest; the innermost one counts.
#pragma once

#include <cstdint>

namespace chirp {

struct Reader {
  int64_t account_id = 0;    // 0: anonymous
  bool reads_may_lag = false;  // a replica may serve its reads, behind the primary
  // Where the account's last write ended in the primary's log, once the
  // store looked it up for this scope (0: no write it must see).
  bool floor_known = false;
  uint64_t floor = 0;
};

class ReaderScope {
 public:
  ReaderScope(int64_t account_id, bool reads_may_lag);
  ~ReaderScope();
  ReaderScope(const ReaderScope&) = delete;
  ReaderScope& operator=(const ReaderScope&) = delete;

 private:
  Reader reader_;
  Reader* outer_;
};

// The innermost scope's reader on this thread; null outside any scope.
Reader* CurrentReader();

}  // namespace chirp

#include "core/reader_scope.h"

namespace chirp {
namespace {

thread_local Reader* current_reader = nullptr;

}  // namespace

ReaderScope::ReaderScope(int64_t account_id, bool reads_may_lag)
    : reader_{.account_id = account_id, .reads_may_lag = reads_may_lag}, outer_(current_reader) {
  current_reader = &reader_;
}

ReaderScope::~ReaderScope() { current_reader = outer_; }

Reader* CurrentReader() { return current_reader; }

}  // namespace chirp

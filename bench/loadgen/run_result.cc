#include "run_result.h"

namespace chirp::loadgen {

uint64_t KindResult::error_count() const {
  uint64_t n = 0;
  for (const auto& [status, count] : errors_by_status) n += count;
  return n;
}

void KindResult::Merge(const KindResult& other) {
  requests += other.requests;
  for (const auto& [status, count] : other.errors_by_status) errors_by_status[status] += count;
  bytes += other.bytes;
  latency.Merge(other.latency);
  corrected_latency.Merge(other.corrected_latency);
}

KindResult RunResult::Total() const {
  KindResult total;
  for (const KindResult& k : kinds) total.Merge(k);
  return total;
}

uint64_t TotalCount(const std::map<std::string, uint64_t>& by_reason) {
  uint64_t n = 0;
  for (const auto& [reason, count] : by_reason) n += count;
  return n;
}

uint64_t RunResult::transport_error_count() const { return TotalCount(transport_errors); }

void RunResult::Merge(const RunResult& other) {
  for (size_t i = 0; i < kinds.size(); ++i) kinds[i].Merge(other.kinds[i]);
  for (const auto& [what, count] : other.transport_errors) transport_errors[what] += count;
  unfinished += other.unfinished;
  connections_opened += other.connections_opened;
}

}  // namespace chirp::loadgen

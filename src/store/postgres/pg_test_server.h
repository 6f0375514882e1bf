// For tests: a real PostgreSQL server of this machine's (Debian's
// postgresql-15), started on first use on 127.0.0.1 and an ephemeral port,
// with its data in a fresh temporary directory, and stopped with the test
// process (also when the process dies: the server gets SIGTERM). As root
// it runs as the `postgres` system user, since PostgreSQL refuses root.
//
// Each test takes a database of its own, created from a template that
// already holds the migrated schema, so tests stay apart and fast.
//
// CHIRP_TEST_POSTGRES=<conninfo of a server that lets us create databases>
// uses that server instead of starting one.
#pragma once

#include <string>

#include "core/error.h"

namespace chirp {

class PgTestServer {
 public:
  // The server of this process, started on the first call. Thread-safe.
  static Result<PgTestServer*> Get();

  // A new empty database with Chirp's schema; returns its conninfo.
  Result<std::string> CreateDatabase();
  // A new empty database without any schema.
  Result<std::string> CreateEmptyDatabase();

  // `conninfo` (of a database CreateDatabase made) through pgbouncer in
  // transaction mode in front of this server, started on the first call
  // (Debian's pgbouncer, as the postgres user when root). kUnavailable
  // with a server given by CHIRP_TEST_POSTGRES, or without pgbouncer.
  Result<std::string> PooledConninfo(const std::string& conninfo);

  // The conninfo of the server's maintenance database, `postgres`.
  const std::string& admin_conninfo() const { return admin_conninfo_; }
  // The server's process id (0 when it was not started by this process).
  int pid() const { return pid_; }

  ~PgTestServer();

 private:
  PgTestServer() = default;
  Status Start();
  Status MakeTemplate();
  Status StartPooler();
  Result<std::string> CreateFrom(const char* template_name);
  std::string ConninfoOf(const std::string& database) const;

  std::string dir_;  // removed when the server stops
  std::string host_;
  int port_ = 0;
  int pid_ = 0;
  int pooler_port_ = 0;
  int pooler_pid_ = 0;
  std::string admin_conninfo_;
  std::string base_conninfo_;  // without dbname
  int databases_ = 0;
};

}  // namespace chirp

// chirpd admin: the operators' commands (accounts, tokens, bulk imports,
// the event stream's dead letters).
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace chirp {

// Their lines of chirpd --help.
extern const char kAdminUsage[];

// Runs `chirpd admin ARGS...` (ARGS[0] names the command); returns the exit
// status. Results go to stdout, failures to stderr.
int RunAdminCommand(std::vector<std::string> args);

// `chirpd admin events ARGS...` (ARGS[0] is list, replay, drop or status,
// then the options): what it prints, JSON a line, or why it failed
// (kBadRequest for bad arguments, kNotFound for an --id that names no dead
// letter).
//   list [--consumer NAME]                    the dead letters, oldest first
//   replay (--id N | --all) [--consumer NAME] marks them for replay: the
//                                             consumer's lane hands them out
//                                             again within a second
//   drop (--id N | --all) [--consumer NAME]   deletes them
//   status                                    the outbox's depth, each
//                                             durable cursor, dead letters
Result<std::string> RunEventsCommand(std::vector<std::string> args);

}  // namespace chirp

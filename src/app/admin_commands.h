// chirpd admin: the operators' commands (accounts, tokens, bulk imports).
#pragma once

#include <string>
#include <vector>

namespace chirp {

// Their lines of chirpd --help.
extern const char kAdminUsage[];

// Runs `chirpd admin ARGS...` (ARGS[0] names the command); returns the exit
// status. Results go to stdout, failures to stderr.
int RunAdminCommand(std::vector<std::string> args);

}  // namespace chirp

// Passwords typed on the command line: removed from the process's own argument
// memory, so /proc/<pid>/cmdline and ps stop showing them once the host starts.
#pragma once

namespace faktory_host::app {

// Overwrites with '*', in place in argv's memory, the password of every
// tcp:// or tcp+tls:// URL found in the arguments (argv[0] excluded); returns
// how many arguments held one. Copy the arguments before calling this.
int scrub_url_passwords(int argc, char** argv);

// The advice printed when scrub_url_passwords found something.
const char* command_line_password_warning();

} // namespace faktory_host::app

// The one place SIGPIPE is dealt with. Writing to a socket the peer closed
// raises SIGPIPE, whose default action kills the process; a lost connection
// must instead surface as an error from the write (EPIPE). Plain TCP sends
// pass MSG_NOSIGNAL, but OpenSSL writes with write(2), which has no such flag,
// so the process needs a SIGPIPE disposition other than the default.
//
// That disposition is a handler that does nothing, not SIG_IGN: a handler is
// reset to the default when a child process calls exec, while SIG_IGN would
// be inherited by every program a plugin starts (and `yes | head` style
// pipelines in them would never end). No signal mask is touched.
#pragma once

namespace faktory_host::protocol {

// Installs the no-op SIGPIPE handler (SA_RESTART) once per process, and only
// when SIGPIPE still has its default disposition: an application that set
// its own (handler or SIG_IGN) keeps it. Thread-safe; after the first call it
// costs one atomic load. Called by every Connection and by the dev server's
// sessions, so whoever opens a socket through them is covered.
void install_sigpipe_handler_once();

// For a program's main(), before it starts any thread: installs the handler
// as above, then unblocks SIGPIPE in the calling thread, whose mask every
// thread it starts inherits. Poco Foundation blocks SIGPIPE in the thread
// that loads it (a static initializer of its POSIX thread code), so without
// this a program linked with Poco hands a blocked SIGPIPE to every process
// it starts.
void take_over_sigpipe_in_main();

} // namespace faktory_host::protocol

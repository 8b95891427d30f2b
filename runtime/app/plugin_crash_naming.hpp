// For the commands that run plugin code without the engine (check, run-job):
// a plugin that segfaults, aborts or calls exit() in its init, a handler or
// its shutdown is named in the output, as under `run`. Held for the
// command's duration; its end marks the exit as the command's own.
#pragma once
#include "crash/exit_watch.hpp"
#include "crash/fatal_signals.hpp"

namespace faktory_host::app {

class PluginCrashNaming {
public:
    PluginCrashNaming() {
        crash::set_orderly_exit(false);
        crash::install_fatal_signal_handlers();
        crash::install_exit_watch();
    }
    ~PluginCrashNaming() { crash::set_orderly_exit(true); }
    PluginCrashNaming(const PluginCrashNaming&) = delete;
    PluginCrashNaming& operator=(const PluginCrashNaming&) = delete;
};

} // namespace faktory_host::app

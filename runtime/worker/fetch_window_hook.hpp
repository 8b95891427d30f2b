// A test seam in the processor loop: called with the connection's wid after a
// processor has its connection and before it asks the lifecycle whether it
// may FETCH. Tests block here to widen the window in which a reload can
// replace the wid, and check that no FETCH then goes out under the old one.
// Set it before the host starts and leave it alone while it runs; empty in
// production.
#pragma once
#include <functional>
#include <string>

namespace faktory_host::worker {

inline std::function<void(const std::string& wid)> fetch_window_hook;

} // namespace faktory_host::worker
